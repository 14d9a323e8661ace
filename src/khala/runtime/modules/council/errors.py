"""Council dispatch errors (FRAME collective's, with declared on-chain indices)."""

from __future__ import annotations

from khala.runtime.errors import DispatchError, ModuleErrorCode
from khala.runtime.modules.council.constants import MODULE_INDEX


class CouncilErrorCode(ModuleErrorCode):
    """Council error codes."""

    NOT_MEMBER = "council.not_member", 0
    """Only council members may propose and vote."""
    DUPLICATE_PROPOSAL = "council.duplicate_proposal", 1
    """The same call is already an open motion."""
    PROPOSAL_MISSING = "council.proposal_missing", 2
    """No open motion has this hash (``khala gov council list``)."""
    WRONG_INDEX = "council.wrong_index", 3
    """The motion index does not match its hash."""
    DUPLICATE_VOTE = "council.duplicate_vote", 4
    """The member already voted that way."""
    TOO_EARLY = "council.too_early", 5
    """The motion can still go either way and its duration has not passed."""
    TOO_MANY_PROPOSALS = "council.too_many_proposals", 6
    """100 motions are open; close some first."""
    WRONG_PROPOSAL_LENGTH = "council.wrong_proposal_length", 7
    """The call's encoding is longer than the ``length_bound`` given."""
    WRONG_THRESHOLD = "council.wrong_threshold", 8
    """A threshold is between 1 and the number of members."""
    TOO_MANY_MEMBERS = "council.too_many_members", 9
    """A council has at most 100 members."""


def council_error(code: CouncilErrorCode, message: str) -> DispatchError:
    """Build a council dispatch error."""
    return DispatchError(code, message, module_index=MODULE_INDEX)
