"""Reading stake pools from a node: a pool's books, its workers and queue, a staker's positions.

Reads go through the runtime's declared storage items (:func:`khala.sdk.mining.read`); amounts
stay exact integers in planck, and the share price is the pool's own U64F64 price. The calls
themselves are the typed dataclasses of :mod:`khala.runtime.modules.stake_pool.calls`
(``client.sign(pair, Contribute(pid, amount))``), re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from khala.primitives.ss58 import ss58_encode
from khala.primitives.units import format_amount
from khala.runtime.modules.balances.constants import EXISTENTIAL_DEPOSIT
from khala.runtime.modules.computation import state as cst
from khala.runtime.modules.stake_pool import state as pst
from khala.runtime.modules.stake_pool.calls import (
    AddStakerToWhitelist,
    AddWorker,
    CheckAndMaybeForceWithdraw,
    ClaimOwnerRewards,
    Contribute,
    Create,
    ReclaimPoolWorker,
    RemoveStakerFromWhitelist,
    RemoveWorker,
    RestartComputing,
    SetCap,
    SetCommission,
    SetPoolDescription,
    StartComputing,
    StopComputing,
    Withdraw,
)
from khala.runtime.modules.stake_pool.ledger import worker_session
from khala.runtime.modules.stake_pool.math import bmul, share_price
from khala.runtime.modules.stake_pool.types import PoolInfo
from khala.sdk.client import Client
from khala.sdk.mining import read
from khala.sdk.times import iso

__all__ = [
    "AddStakerToWhitelist",
    "AddWorker",
    "CheckAndMaybeForceWithdraw",
    "ClaimOwnerRewards",
    "Contribute",
    "Create",
    "PoolStatus",
    "Position",
    "ReclaimPoolWorker",
    "RemoveStakerFromWhitelist",
    "RemoveWorker",
    "RestartComputing",
    "SetCap",
    "SetCommission",
    "SetPoolDescription",
    "StartComputing",
    "StopComputing",
    "Withdraw",
    "pool",
    "pool_count",
    "pool_status",
    "positions",
]


def pool_count(client: Client) -> int:
    """How many pools exist (ids are 0 .. count − 1)."""
    count: int = read(client, pst.POOL_COUNT)
    return count


def pool(client: Client, pid: int) -> PoolInfo | None:
    """Pool ``pid`` as stored, or None."""
    found: PoolInfo | None = read(client, pst.POOLS, pid)
    return found


def _free(client: Client, who: bytes) -> int:
    return max(client.account(who).data.free - EXISTENTIAL_DEPOSIT, 0)


@dataclass(frozen=True, slots=True)
class PoolStatus:
    """A pool as ``khala pool show`` presents it."""

    info: PoolInfo
    """The stored record."""
    free_stake: int
    """Planck ready to start workers or pay withdrawals."""
    owner_rewards: int
    """Commission waiting for ``claim_owner_rewards``."""
    workers: list[dict[str, Any]]
    """Each worker: key, session state, stake, rewards."""
    description: str
    """The owner's description."""
    whitelist: list[bytes]
    """Who may contribute (empty: anyone)."""

    @property
    def price(self) -> str:
        """PHA per share (1 for a pool without shares), 12 decimals."""
        price = share_price(self.info.total_value, self.info.total_shares)
        return "1.000000000000" if price is None else price.to_decimal(12)

    def to_json(self, now_s: int) -> dict[str, Any]:
        """JSON-ready, amounts in planck with PHA strings; waits as ISO times."""
        info = self.info
        price = share_price(info.total_value, info.total_shares)
        queue = [
            {
                "user": ss58_encode(bytes(request.user)),
                "shares": request.shares,
                "value": None if price is None else bmul(request.shares, price),
                "since": iso(request.start_time),
                "waiting_s": max(now_s - request.start_time, 0),
            }
            for request in info.withdraw_queue
        ]
        return {
            "pid": info.pid,
            "owner": ss58_encode(bytes(info.owner)),
            "total_value": info.total_value,
            "total_value_pha": format_amount(info.total_value),
            "total_shares": info.total_shares,
            "price": self.price,
            "commission_percent": f"{info.commission / 10_000:g}",
            "cap": info.cap,
            "cap_pha": None if info.cap is None else format_amount(info.cap),
            "free_stake": self.free_stake,
            "free_stake_pha": format_amount(self.free_stake),
            "owner_rewards": self.owner_rewards,
            "owner_rewards_pha": format_amount(self.owner_rewards),
            "workers": self.workers,
            "withdraw_queue": queue,
            "description": self.description,
            "whitelist": [ss58_encode(key) for key in self.whitelist],
        }


def pool_status(client: Client, pid: int) -> PoolStatus | None:
    """Everything ``khala pool show`` prints about pool ``pid``."""
    info = pool(client, pid)
    if info is None:
        return None
    workers = []
    cooling = {bytes(key) for key in info.cd_workers}
    for key in info.workers:
        session = worker_session(info, bytes(key))
        record = read(client, cst.SESSIONS, session)
        state = "Unbound" if record is None else record.state.name.title().replace("_", "")
        workers.append(
            {
                "worker": "0x" + bytes(key).hex(),
                "state": state,
                "cooling_down": bytes(key) in cooling,
                "stake": read(client, cst.STAKES, session),
                "total_reward": 0 if record is None else record.total_reward,
            }
        )
    description = read(client, pst.DESCRIPTIONS, pid).decode("utf-8", errors="replace")
    return PoolStatus(
        info,
        _free(client, bytes(info.pool_account)),
        _free(client, bytes(info.owner_reward_account)),
        workers,
        description,
        [bytes(key) for key in read(client, pst.WHITELISTS, pid)],
    )


@dataclass(frozen=True, slots=True)
class Position:
    """A staker's holding in one pool."""

    pid: int
    """The pool."""
    shares: int
    """Shares held."""
    queued: int
    """Shares waiting in the withdraw queue."""
    value: int
    """What shares and queued shares are worth at the pool's price, in planck."""

    def to_json(self) -> dict[str, Any]:
        """JSON-ready, with PHA strings."""
        return {
            "pid": self.pid,
            "shares": self.shares,
            "queued_shares": self.queued,
            "value": self.value,
            "value_pha": format_amount(self.value),
        }


def positions(client: Client, who: bytes) -> list[Position]:
    """Every pool where ``who`` holds or waits for shares."""
    found = []
    for pid in range(pool_count(client)):
        info = pool(client, pid)
        if info is None:
            continue
        shares: int = read(client, pst.STAKES, pid, who)
        queued = sum(r.shares for r in info.withdraw_queue if bytes(r.user) == who)
        if not shares and not queued:
            continue
        price = share_price(info.total_value, info.total_shares)
        value = 0 if price is None else bmul(shares + queued, price)
        found.append(Position(pid, shares, queued, value))
    return found
