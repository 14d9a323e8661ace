"""Treasury constants."""

from khala.runtime.modules.balances.constants import EXISTENTIAL_DEPOSIT
from khala.runtime.modules.payment.constants import TREASURY_ACCOUNT

MODULE_INDEX = 18
"""Module index of the treasury."""
MODULE_NAME = "Treasury"
"""Storage prefix name."""
ACCOUNT = TREASURY_ACCOUNT
"""The treasury's account (FRAME's PalletId ``py/trsry``): fees and mining shares land here."""
PROPOSAL_BOND_PERMILL = 50_000
"""Bond of a spend proposal: 5 % of its value (FRAME's ``ProposalBond``)."""
PROPOSAL_BOND_MINIMUM = 100 * EXISTENTIAL_DEPOSIT
"""The least bond (1 PHA), so small proposals still cost something to spam."""
MAX_APPROVALS = 100
"""Approved proposals waiting for payment at once (FRAME's ``MaxApprovals``)."""
CALL_WEIGHT = 150_000_000
"""Weight (ps) of a treasury call."""
PERMILL = 1_000_000
"""Parts per million."""
