"""Stake pool records (Phala's ``BasePool`` + ``StakePool`` + ``WithdrawInfo``, flattened)."""

from __future__ import annotations

from dataclasses import dataclass

from khala.primitives.scale import H256, U32, U64
from khala.runtime.types import AccountId, Balance


@dataclass(frozen=True, slots=True)
class WithdrawRequest:
    """A delegator's queued withdrawal: its shares wait here, out of its position."""

    user: AccountId
    """Who receives the PHA."""
    start_time: U64
    """Block time (s) when it was queued: the grace period counts from here."""
    shares: Balance
    """Shares still to pay (never dust)."""


@dataclass(frozen=True, slots=True)
class PoolInfo:
    """A stake pool (``StakePool.Pools``)."""

    pid: U64
    """Pool id, counting from 0."""
    owner: AccountId
    """Creator: sets commission and cap, adds and starts workers, claims commissions."""
    total_shares: Balance
    """Shares issued: positions plus queued requests (never dust)."""
    total_value: Balance
    """PHA the shares are worth: free stake plus stake bound to workers (Phala's
    ``total_value``); rewards raise it, withdrawals lower it."""
    commission: U32
    """The owner's part of each payout, in parts per million."""
    cap: Balance | None
    """Largest ``total_value`` contributions may reach (None: unlimited)."""
    workers: list[H256]
    """Workers added to the pool (at most 200)."""
    cd_workers: list[H256]
    """Workers stopped and cooling down (their stake is releasing)."""
    withdraw_queue: list[WithdrawRequest]
    """Waiting withdrawals, first in first out (one per delegator)."""
    pool_account: AccountId
    """Holds the free stake (and a 0.01 PHA deposit that keeps it alive)."""
    lock_account: AccountId
    """Owns the workers' sessions: their stake is reserved here."""
    owner_reward_account: AccountId
    """Holds commissions until the owner claims them."""
