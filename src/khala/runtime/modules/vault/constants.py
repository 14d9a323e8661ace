"""Vault constants."""

MODULE_INDEX = 89
"""Module index of vaults (after stake pools, which vaults invest in)."""
MODULE_NAME = "Vault"
"""Storage prefix name."""
ACCOUNT_DOMAIN = b"khala/vault/account"
"""Domain of a vault's account: ``blake2_256(domain ++ vid_le64)``; it holds the free PHA and
is the vault's identity as a delegator in stake pools."""
MAX_INVEST_POOLS = 32
"""Pools one vault may invest in: its value is summed over them on every vault call."""
INITIAL_PRICE_CHECKPOINT = 10**12
"""The price (planck per share) commission gains are measured from: 1 PHA per share, the price
of a new vault (Phala's ``InitialPriceCheckPoint``)."""
CALL_WEIGHT = 150_000_000
"""Weight (ps) of a vault call (reads each invested pool)."""
CASCADE_WEIGHT = 500_000_000
"""Weight (ps) of a call that may queue withdrawals in every invested pool."""
