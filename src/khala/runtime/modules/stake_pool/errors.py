"""Stake pool dispatch errors (each with its declared on-chain index)."""

from __future__ import annotations

from khala.runtime.errors import DispatchError, ModuleErrorCode
from khala.runtime.modules.stake_pool.constants import MODULE_INDEX


class StakePoolErrorCode(ModuleErrorCode):
    """Stake pool error codes."""

    POOL_NOT_FOUND = "stake_pool.pool_not_found", 0
    """No pool has this id (``khala pool list`` shows them)."""
    NOT_OWNER = "stake_pool.not_owner", 1
    """Only the pool's owner may do this."""
    WORKER_NOT_REGISTERED = "stake_pool.worker_not_registered", 2
    """The worker is not registered; its relayer registers it."""
    BENCHMARK_MISSING = "stake_pool.benchmark_missing", 3
    """The worker has no benchmark score yet; wait for its benchmark."""
    NOT_OPERATOR = "stake_pool.not_operator", 4
    """The worker's registered operator is not the pool's owner."""
    WORKER_IN_POOL = "stake_pool.worker_in_pool", 5
    """The worker is already in a pool; remove it there first."""
    TOO_MANY_WORKERS = "stake_pool.too_many_workers", 6
    """A pool has at most 200 workers."""
    WORKER_NOT_IN_POOL = "stake_pool.worker_not_in_pool", 7
    """The worker is not in this pool."""
    WORKER_NOT_READY = "stake_pool.worker_not_ready", 8
    """The worker is computing or cooling down; stop it and reclaim first."""
    WORKER_ALREADY_STOPPED = "stake_pool.worker_already_stopped", 9
    """The worker is already cooling down."""
    INSUFFICIENT_FREE_STAKE = "stake_pool.insufficient_free_stake", 10
    """The pool's free stake cannot cover the worker's stake; wait for contributions."""
    CAP_TOO_LOW = "stake_pool.cap_too_low", 11
    """The cap is below the pool's current value."""
    CAP_EXCEEDED = "stake_pool.cap_exceeded", 12
    """The contribution would take the pool's value above its cap."""
    CONTRIBUTION_TOO_SMALL = "stake_pool.contribution_too_small", 13
    """Contributions are at least 0.01 PHA."""
    INSUFFICIENT_BALANCE = "stake_pool.insufficient_balance", 14
    """The account cannot spend that much (keep 0.01 PHA to stay alive)."""
    NOT_WHITELISTED = "stake_pool.not_whitelisted", 15
    """The pool accepts contributions from its whitelist only."""
    INVALID_WITHDRAWAL = "stake_pool.invalid_withdrawal", 16
    """The shares are dust or more than the account holds in the pool."""
    POOL_BANKRUPT = "stake_pool.pool_bankrupt", 17
    """The pool has shares but no value left; it takes no contributions."""
    NO_REWARD_TO_CLAIM = "stake_pool.no_reward_to_claim", 18
    """The owner-reward account holds nothing to claim."""
    RESTART_WITH_LESS_STAKE = "stake_pool.restart_with_less_stake", 19
    """A restart must stake more than the worker had."""
    WITHDRAW_QUEUE_NOT_EMPTY = "stake_pool.withdraw_queue_not_empty", 20
    """Restarting waits until queued withdrawals are paid."""
    INVALID_COMMISSION = "stake_pool.invalid_commission", 21
    """Commission is a permill: 0 to 1,000,000."""
    WHITELIST_FULL = "stake_pool.whitelist_full", 22
    """A whitelist holds at most 100 accounts."""
    ALREADY_WHITELISTED = "stake_pool.already_whitelisted", 23
    """The account is already on the whitelist."""
    NOT_IN_WHITELIST = "stake_pool.not_in_whitelist", 24
    """The account is not on the whitelist."""
    DESCRIPTION_TOO_LONG = "stake_pool.description_too_long", 25
    """Descriptions are at most 4,400 bytes."""
    INVALID_DESCRIPTION = "stake_pool.invalid_description", 26
    """Descriptions are UTF-8 text."""


def pool_error(code: StakePoolErrorCode, message: str) -> DispatchError:
    """Build a stake pool dispatch error."""
    return DispatchError(code, message, module_index=MODULE_INDEX)
