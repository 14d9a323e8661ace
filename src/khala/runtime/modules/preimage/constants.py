"""Preimage constants."""

from khala.runtime.modules.balances.constants import EXISTENTIAL_DEPOSIT

MODULE_INDEX = 10
"""Module index of preimage."""
MODULE_NAME = "Preimage"
"""Storage prefix name."""
MAX_SIZE = 4 * 1024 * 1024
"""Largest preimage in bytes (FRAME's ``MAX_SIZE``, 4 MiB): no bigger call fits a block."""
BASE_DEPOSIT = 100 * EXISTENTIAL_DEPOSIT
"""Deposit for any preimage (1 PHA): pays for the storage entry itself."""
BYTE_DEPOSIT = EXISTENTIAL_DEPOSIT // 100
"""Deposit per byte (0.0001 PHA, 0.1 PHA per KiB), so storing calls costs in proportion."""
CALL_WEIGHT = 100_000_000
"""Weight (ps) of noting or removing a preimage; its bytes pay through the length fee."""
