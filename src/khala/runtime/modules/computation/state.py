"""Computation's storage."""

from __future__ import annotations

from khala.primitives.hashing import StorageHasher
from khala.primitives.scale import H256, U32
from khala.runtime.modules.computation.constants import MODULE_NAME
from khala.runtime.modules.computation.tokenomics import GEMINI, TokenomicParameters
from khala.runtime.modules.computation.types import SessionInfo
from khala.runtime.storage import StorageMap, StorageValue
from khala.runtime.types import AccountId, Balance

SESSIONS: StorageMap[bytes, SessionInfo | None] = StorageMap(
    MODULE_NAME, "Sessions", StorageHasher.TWOX64_CONCAT, H256, SessionInfo | None, None
)
"""Computation.Sessions: session account -> its record."""
SESSION_BINDINGS: StorageMap[bytes, bytes | None] = StorageMap(
    MODULE_NAME, "SessionBindings", StorageHasher.TWOX64_CONCAT, H256, H256 | None, None
)
"""Computation.SessionBindings: session account -> the bound worker."""
WORKER_BINDINGS: StorageMap[bytes, bytes | None] = StorageMap(
    MODULE_NAME, "WorkerBindings", StorageHasher.TWOX64_CONCAT, H256, H256 | None, None
)
"""Computation.WorkerBindings: worker -> its session account."""
STAKES: StorageMap[bytes, int] = StorageMap(
    MODULE_NAME, "Stakes", StorageHasher.TWOX64_CONCAT, H256, Balance, 0
)
"""Computation.Stakes: session account -> stake reserved on its owner."""
ONLINE_WORKERS: StorageValue[int] = StorageValue(MODULE_NAME, "OnlineWorkers", U32, 0)
"""Computation.OnlineWorkers: computing workers (idle or unresponsive): the challenge's N."""
MINING_ENABLED: StorageValue[bool] = StorageValue(MODULE_NAME, "MiningEnabled", bool, False)
"""Computation.MiningEnabled: the fair-launch switch; ``start_computing`` needs it."""
HEARTBEAT_PAUSED: StorageValue[bool] = StorageValue(MODULE_NAME, "HeartbeatPaused", bool, False)
"""Computation.HeartbeatPaused: governance's brake on challenges (and so on payouts)."""
TOKENOMIC_PARAMETERS: StorageValue[TokenomicParameters] = StorageValue(
    MODULE_NAME, "TokenomicParameters", TokenomicParameters, GEMINI
)
"""Computation.TokenomicParameters: the parameters in force."""
SCHEDULED_TOKENOMIC_UPDATE: StorageValue[TokenomicParameters | None] = StorageValue(
    MODULE_NAME, "ScheduledTokenomicUpdate", TokenomicParameters | None, None
)
"""Computation.ScheduledTokenomicUpdate: parameters governance set, applied at block end."""
LAST_SETTLED_BLOCK: StorageValue[int] = StorageValue(MODULE_NAME, "LastSettledBlock", U32, 0)
"""Computation.LastSettledBlock: the block of the last accepted settlement (later ones only)."""
UNPAID_REWARDS: StorageMap[bytes, tuple[int, int]] = StorageMap(
    MODULE_NAME,
    "UnpaidRewards",
    StorageHasher.TWOX64_CONCAT,
    AccountId,
    tuple[Balance, Balance],
    (0, 0),
)
"""Computation.UnpaidRewards: session -> (payout, treasury share) settled while the subsidy
could not pay them, owed until governance refills the subsidy and settles them."""
RESPONSIVENESS: StorageMap[bytes, tuple[bool, int]] = StorageMap(
    MODULE_NAME,
    "Responsiveness",
    StorageHasher.TWOX64_CONCAT,
    AccountId,
    tuple[bool, U32],
    (False, 0),
)
"""Computation.Responsiveness: session -> (unresponsive, block) of its last
``WorkerEnterUnresponsive`` (true) or ``WorkerExitUnresponsive`` (false), as the gatekeepers'
settlement of that block reported it (Phala's gatekeeper keeps the same pair as a statistic)."""
