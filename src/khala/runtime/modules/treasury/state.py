"""Treasury storage (FRAME's names)."""

from __future__ import annotations

from khala.primitives.hashing import StorageHasher
from khala.primitives.scale import U32
from khala.runtime.modules.treasury.constants import MODULE_NAME
from khala.runtime.modules.treasury.types import Proposal
from khala.runtime.storage import StorageMap, StorageValue

PROPOSAL_COUNT: StorageValue[int] = StorageValue(MODULE_NAME, "ProposalCount", U32, 0)
"""Treasury.ProposalCount: proposals ever made (the next one's index)."""
PROPOSALS: StorageMap[int, Proposal | None] = StorageMap(
    MODULE_NAME, "Proposals", StorageHasher.TWOX64_CONCAT, U32, Proposal | None, None
)
"""Treasury.Proposals: index -> an open or approved (unpaid) proposal."""
APPROVALS: StorageValue[list[int]] = StorageValue(MODULE_NAME, "Approvals", list[U32], [])
"""Treasury.Approvals: approved proposals in payment order."""
