"""Vaults: delegation of delegation. A vault's owner invests its delegators' PHA in stake pools.

Delegators contribute to a vault for vault shares; the owner invests the vault's free PHA in
stake pools (the vault's account is then an ordinary delegator there) and divests it. A vault's
value is its free PHA plus what its pool shares are worth at each pool's price, computed when
needed, so the vault's share price follows its pools' prices with nothing to synchronise. The
owner takes a commission on gains as new vault shares (``maybe_gain_owner_shares``, Phala's
mechanism). Withdrawals cascade: a vault request its free PHA cannot cover queues withdrawals in
its pools for the shortfall, and every payment a pool makes to the vault pays the vault's own
queue. Phala's ``vault.rs`` is the model; ``docs/pools.md`` lists the differences.
"""
