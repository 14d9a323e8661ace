"""Vesting dispatch errors (FRAME's, with declared on-chain indices)."""

from __future__ import annotations

from khala.runtime.errors import DispatchError, ModuleErrorCode
from khala.runtime.modules.vesting.constants import MODULE_INDEX


class VestingErrorCode(ModuleErrorCode):
    """Vesting error codes."""

    NOT_VESTING = "vesting.not_vesting", 0
    """The account has no vesting schedule."""
    AT_MAX_VESTING_SCHEDULES = "vesting.at_max_vesting_schedules", 1
    """The account already has 28 schedules; merge some first."""
    AMOUNT_LOW = "vesting.amount_low", 2
    """A vested transfer moves at least 1 PHA."""
    SCHEDULE_INDEX_OUT_OF_BOUNDS = "vesting.schedule_index_out_of_bounds", 3
    """No schedule at that index (``khala vesting show`` lists them)."""
    INVALID_SCHEDULE_PARAMS = "vesting.invalid_schedule_params", 4
    """A schedule must lock something and release something per block."""


def vesting_error(code: VestingErrorCode, message: str) -> DispatchError:
    """Build a vesting dispatch error."""
    return DispatchError(code, message, module_index=MODULE_INDEX)
