"""Vault records (Phala's ``Vault`` with its ``BasePool``, flattened)."""

from __future__ import annotations

from dataclasses import dataclass

from khala.primitives.scale import U32, U64
from khala.runtime.modules.stake_pool.types import WithdrawRequest
from khala.runtime.types import AccountId, Balance


@dataclass(frozen=True, slots=True)
class VaultInfo:
    """A vault (``Vault.Vaults``)."""

    pid: U64
    """Vault id, counting from 0 (a separate series from stake pools)."""
    owner: AccountId
    """Creator: invests and divests, sets the commission, gains owner shares."""
    total_shares: Balance
    """Vault shares: positions, queued requests and unclaimed owner shares."""
    total_value: Balance
    """What they were worth when last computed (free PHA plus pool shares at pool prices)."""
    commission: U32
    """The owner's part of the share price's gains, in parts per million."""
    owner_shares: Balance
    """Shares gained as commission and not yet claimed."""
    last_share_price_checkpoint: Balance
    """The price (planck per share) the next commission gain is measured from."""
    invest_pools: list[U64]
    """Stake pools the vault holds or waits for shares in."""
    withdraw_queue: list[WithdrawRequest]
    """Waiting vault withdrawals, first in first out (one per delegator)."""
    pool_account: AccountId
    """The vault's account (free PHA, and its identity in the pools)."""
