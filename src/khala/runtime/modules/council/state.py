"""Council storage."""

from __future__ import annotations

from khala.primitives.hashing import StorageHasher
from khala.primitives.scale import H256, U32
from khala.runtime.modules.council.constants import MODULE_NAME
from khala.runtime.modules.council.types import Votes
from khala.runtime.outer import RuntimeCall
from khala.runtime.storage import StorageMap, StorageValue
from khala.runtime.types import AccountId

MEMBERS: StorageValue[list[bytes]] = StorageValue(MODULE_NAME, "Members", list[AccountId], [])
"""Council.Members: the current members, sorted."""
PROPOSALS: StorageValue[list[bytes]] = StorageValue(MODULE_NAME, "Proposals", list[H256], [])
"""Council.Proposals: hashes of open motions, oldest first."""
PROPOSAL_OF: StorageMap[bytes, object] = StorageMap(
    MODULE_NAME, "ProposalOf", StorageHasher.IDENTITY, H256, RuntimeCall | None, None
)
"""Council.ProposalOf: motion hash -> its call."""
VOTING: StorageMap[bytes, Votes | None] = StorageMap(
    MODULE_NAME, "Voting", StorageHasher.IDENTITY, H256, Votes | None, None
)
"""Council.Voting: motion hash -> its tally."""
PROPOSAL_COUNT: StorageValue[int] = StorageValue(MODULE_NAME, "ProposalCount", U32, 0)
"""Council.ProposalCount: motions ever made (the next motion's index)."""
