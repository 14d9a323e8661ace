"""Treasury dispatch errors (FRAME's names, declared on-chain indices)."""

from __future__ import annotations

from khala.runtime.errors import DispatchError, ModuleErrorCode
from khala.runtime.modules.treasury.constants import MODULE_INDEX


class TreasuryErrorCode(ModuleErrorCode):
    """Treasury error codes."""

    INSUFFICIENT_PROPOSERS_BALANCE = "treasury.insufficient_proposers_balance", 0
    """The proposer cannot reserve the bond (5 % of the value, at least 1 PHA)."""
    INVALID_INDEX = "treasury.invalid_index", 1
    """No open proposal has this index."""
    TOO_MANY_APPROVALS = "treasury.too_many_approvals", 2
    """100 approved proposals are waiting for payment already."""
    ALREADY_APPROVED = "treasury.already_approved", 3
    """The proposal is approved and waits for the next spend period."""
    ZERO_VALUE = "treasury.zero_value", 4
    """A proposal must spend something."""


def treasury_error(code: TreasuryErrorCode, message: str) -> DispatchError:
    """Build a treasury dispatch error."""
    return DispatchError(code, message, module_index=MODULE_INDEX)
