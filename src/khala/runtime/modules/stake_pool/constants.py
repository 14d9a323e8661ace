"""Stake pool constants (DESIGN §8; Phala's values where Phala has one)."""

MODULE_INDEX = 88
"""Module index of stake pools (right after computation, whose sessions pools own)."""
MODULE_NAME = "StakePool"
"""Storage prefix name."""
ACCOUNT_DOMAIN = b"khala/pool/account"
"""Domain of a pool's account (its free stake): ``blake2_256(domain ++ pid_le64)``."""
LOCK_DOMAIN = b"khala/pool/lock"
"""Domain of a pool's lock account: it owns the pool's worker sessions, holds their stake
reserved, and receives their payouts for splitting."""
OWNER_REWARD_DOMAIN = b"khala/pool/owner-reward"
"""Domain of a pool's owner-reward account: commissions wait there for ``claim_owner_rewards``."""
MIN_CONTRIBUTION = 10**10
"""Smallest contribution, 0.01 PHA (Phala's ``MinContribution``; also the existential
deposit, so a contribution can always create the pool account's balance)."""
MAX_POOL_WORKERS = 200
"""Workers per pool (DESIGN §7: more makes a forced shutdown too heavy for one block)."""
MAX_WHITELIST = 100
"""Accounts on a pool's contributor whitelist (Phala's ``MAX_WHITELIST_LEN``)."""
MAX_DESCRIPTION = 4_400
"""Bytes of a pool description (Phala's ``DescMaxLen``)."""
CALL_WEIGHT = 100_000_000
"""Weight (ps) of a pool call (a few reads and writes, a transfer or two)."""
QUEUE_WEIGHT = 300_000_000
"""Weight (ps) of a call that may pay several queued withdrawals or stop many workers."""
PAID = "stake_pool.paid"
"""Announced for each queued-withdrawal payment: ``(user, amount)``; a vault that delegated to
the pool pays its own queue from it."""
