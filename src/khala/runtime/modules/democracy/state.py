"""Democracy storage (FRAME's names)."""

from __future__ import annotations

from khala.primitives.hashing import StorageHasher
from khala.primitives.scale import H256, U32
from khala.runtime.modules.democracy.constants import MODULE_NAME
from khala.runtime.modules.democracy.types import (
    EMPTY_VOTING,
    Delegating,
    Direct,
    ReferendumInfo,
    VoteThreshold,
    Voting,
)
from khala.runtime.storage import StorageMap, StorageValue
from khala.runtime.types import AccountId, Balance

PUBLIC_PROP_COUNT: StorageValue[int] = StorageValue(MODULE_NAME, "PublicPropCount", U32, 0)
"""Democracy.PublicPropCount: public proposals ever made (the next one's index)."""
PUBLIC_PROPS: StorageValue[list[tuple[int, bytes, bytes]]] = StorageValue(
    MODULE_NAME, "PublicProps", list[tuple[U32, H256, AccountId]], []
)
"""Democracy.PublicProps: waiting public proposals ``(index, preimage hash, proposer)``."""
DEPOSIT_OF: StorageMap[int, tuple[list[bytes], int] | None] = StorageMap(
    MODULE_NAME,
    "DepositOf",
    StorageHasher.TWOX64_CONCAT,
    U32,
    tuple[list[AccountId], Balance] | None,
    None,
)
"""Democracy.DepositOf: proposal index -> ``(proposer and seconders, deposit each)``."""
REFERENDUM_COUNT: StorageValue[int] = StorageValue(MODULE_NAME, "ReferendumCount", U32, 0)
"""Democracy.ReferendumCount: referenda ever started (the next one's index)."""
LOWEST_UNBAKED: StorageValue[int] = StorageValue(MODULE_NAME, "LowestUnbaked", U32, 0)
"""Democracy.LowestUnbaked: the lowest referendum index still ongoing (or the count)."""
REFERENDUM_INFO_OF: StorageMap[int, ReferendumInfo | None] = StorageMap(
    MODULE_NAME,
    "ReferendumInfoOf",
    StorageHasher.TWOX64_CONCAT,
    U32,
    ReferendumInfo | None,
    None,
)
"""Democracy.ReferendumInfoOf: referendum index -> ongoing status or result."""
VOTING_OF: StorageMap[bytes, Direct | Delegating] = StorageMap(
    MODULE_NAME, "VotingOf", StorageHasher.TWOX64_CONCAT, AccountId, Voting, EMPTY_VOTING
)
"""Democracy.VotingOf: account -> its votes or delegation, and what they lock."""
LAST_TABLED_WAS_EXTERNAL: StorageValue[bool] = StorageValue(
    MODULE_NAME, "LastTabledWasExternal", bool, False
)
"""Democracy.LastTabledWasExternal: whether the last launch tabled the council's proposal
(the next launch then prefers a public one)."""
NEXT_EXTERNAL: StorageValue[tuple[bytes, VoteThreshold] | None] = StorageValue(
    MODULE_NAME, "NextExternal", tuple[H256, VoteThreshold] | None, None
)
"""Democracy.NextExternal: the council's proposal waiting for a launch (or a fast track)."""
