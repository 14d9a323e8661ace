"""Reading vaults from a node: a vault's value and holdings, a delegator's vault positions.

A vault's value is computed as the chain computes it (free PHA plus pool shares at each pool's
price), from the declared storage items. The calls are the typed dataclasses of
:mod:`khala.runtime.modules.vault.calls`, re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from khala.primitives.ss58 import ss58_encode
from khala.primitives.units import format_amount
from khala.runtime.modules.balances.constants import EXISTENTIAL_DEPOSIT
from khala.runtime.modules.stake_pool import state as pst
from khala.runtime.modules.stake_pool.math import bmul, share_price
from khala.runtime.modules.vault import state as vst
from khala.runtime.modules.vault.calls import (
    CheckAndMaybeForceWithdraw,
    ClaimOwnerShares,
    Contribute,
    Create,
    Divest,
    Invest,
    MaybeGainOwnerShares,
    SetCommission,
    Withdraw,
)
from khala.runtime.modules.vault.types import VaultInfo
from khala.sdk.client import Client
from khala.sdk.mining import read
from khala.sdk.pools import Position
from khala.sdk.times import iso

__all__ = [
    "CheckAndMaybeForceWithdraw",
    "ClaimOwnerShares",
    "Contribute",
    "Create",
    "Divest",
    "Invest",
    "MaybeGainOwnerShares",
    "SetCommission",
    "VaultStatus",
    "Withdraw",
    "vault_count",
    "vault_positions",
    "vault_status",
]


def vault_count(client: Client) -> int:
    """How many vaults exist (ids 0 .. count − 1)."""
    count: int = read(client, vst.VAULT_COUNT)
    return count


@dataclass(frozen=True, slots=True)
class VaultStatus:
    """A vault with its value computed from its pools."""

    info: VaultInfo
    """The stored record (its ``total_value`` as of the vault's last call)."""
    free: int
    """PHA in the vault's account beyond its deposit."""
    holdings: list[dict[str, Any]]
    """Per pool: shares held, queued, their value."""
    value: int
    """Free PHA plus holdings at the pools' current prices."""
    locked: bool
    """Whether a forced withdrawal is under way."""

    def to_json(self, now_s: int) -> dict[str, Any]:
        """JSON-ready, amounts in planck with PHA strings."""
        info = self.info
        price = share_price(self.value, info.total_shares)
        return {
            "pid": info.pid,
            "owner": ss58_encode(bytes(info.owner)),
            "total_value": self.value,
            "total_value_pha": format_amount(self.value),
            "total_shares": info.total_shares,
            "price": "1.000000000000" if price is None else price.to_decimal(12),
            "commission_percent": f"{info.commission / 10_000:g}",
            "owner_shares": info.owner_shares,
            "free": self.free,
            "free_pha": format_amount(self.free),
            "holdings": self.holdings,
            "locked": self.locked,
            "withdraw_queue": [
                {
                    "user": ss58_encode(bytes(r.user)),
                    "shares": r.shares,
                    "since": iso(r.start_time),
                    "waiting_s": max(now_s - r.start_time, 0),
                }
                for r in info.withdraw_queue
            ],
        }


def vault_status(client: Client, vid: int) -> VaultStatus | None:
    """Vault ``vid`` with its holdings and value, or None."""
    info: VaultInfo | None = read(client, vst.VAULTS, vid)
    if info is None:
        return None
    account = bytes(info.pool_account)
    free = max(client.account(account).data.free - EXISTENTIAL_DEPOSIT, 0)
    holdings = []
    for pid in info.invest_pools:
        pool = read(client, pst.POOLS, pid)
        if pool is None:
            continue
        shares = read(client, pst.STAKES, pid, account)
        queued = sum(r.shares for r in pool.withdraw_queue if bytes(r.user) == account)
        price = share_price(pool.total_value, pool.total_shares)
        value = 0 if price is None else bmul(shares + queued, price)
        holdings.append({"pool": pid, "shares": shares, "queued": queued, "value": value})
    value = free + sum(h["value"] for h in holdings)
    return VaultStatus(info, free, holdings, value, read(client, vst.LOCKS, vid))


def vault_positions(client: Client, who: bytes) -> list[Position]:
    """Every vault where ``who`` holds or waits for shares (``pid`` is the vault id)."""
    found = []
    for vid in range(vault_count(client)):
        status = vault_status(client, vid)
        if status is None:
            continue
        shares: int = read(client, vst.STAKES, vid, who)
        queued = sum(r.shares for r in status.info.withdraw_queue if bytes(r.user) == who)
        if not shares and not queued:
            continue
        price = share_price(status.value, status.info.total_shares)
        value = 0 if price is None else bmul(shares + queued, price)
        found.append(Position(vid, shares, queued, value))
    return found
