"""Democracy dispatch errors (FRAME's names, declared on-chain indices)."""

from __future__ import annotations

from khala.runtime.errors import DispatchError, ModuleErrorCode
from khala.runtime.modules.democracy.constants import MODULE_INDEX


class DemocracyErrorCode(ModuleErrorCode):
    """Democracy error codes."""

    VALUE_LOW = "democracy.value_low", 0
    """A proposal's deposit is below the minimum (10 PHA)."""
    PROPOSAL_MISSING = "democracy.proposal_missing", 1
    """No waiting public proposal has this index."""
    ALREADY_CANCELED = "democracy.already_canceled", 2
    """The referendum was already cancelled."""
    DUPLICATE_PROPOSAL = "democracy.duplicate_proposal", 3
    """The council already has a proposal waiting; it launches first."""
    NOT_SIMPLE_MAJORITY = "democracy.not_simple_majority", 4
    """Only a council proposal that is not super-majority approve can be fast-tracked."""
    REFERENDUM_INVALID = "democracy.referendum_invalid", 5
    """No ongoing referendum has this index."""
    NO_PROPOSAL = "democracy.no_proposal", 6
    """The council has no proposal waiting (or it has another hash)."""
    NOT_VOTER = "democracy.not_voter", 7
    """The account has no vote on that referendum."""
    NO_PERMISSION = "democracy.no_permission", 8
    """Only the voter may remove a vote on an ongoing referendum."""
    ALREADY_DELEGATING = "democracy.already_delegating", 9
    """The account already delegates; undelegate first."""
    INSUFFICIENT_FUNDS = "democracy.insufficient_funds", 10
    """The balance voted or delegated is more than the account's free balance."""
    NOT_DELEGATING = "democracy.not_delegating", 11
    """The account does not delegate."""
    VOTES_EXIST = "democracy.votes_exist", 12
    """The account has votes on referenda; remove them before delegating."""
    NONSENSE = "democracy.nonsense", 13
    """Delegating to yourself."""
    MAX_VOTES_REACHED = "democracy.max_votes_reached", 14
    """The account votes on 100 referenda already."""
    TOO_MANY_PROPOSALS = "democracy.too_many_proposals", 15
    """100 public proposals are waiting already."""
    VOTING_PERIOD_LOW = "democracy.voting_period_low", 16
    """A fast-tracked voting period is shorter than the fast-track minimum."""
    PREIMAGE_MISSING = "democracy.preimage_missing", 17
    """No preimage is noted for the proposal's hash (note it with preimage.note_preimage)."""
    PREIMAGE_INVALID = "democracy.preimage_invalid", 18
    """The preimage does not decode as a call of this runtime."""
    BAD_CONVICTION = "democracy.bad_conviction", 19
    """A vote's conviction is not 0..6."""


def democracy_error(code: DemocracyErrorCode, message: str) -> DispatchError:
    """Build a democracy dispatch error."""
    return DispatchError(code, message, module_index=MODULE_INDEX)
