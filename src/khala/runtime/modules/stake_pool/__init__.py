"""Stake pools: owners run workers with delegators' stake, share rewards and a withdraw queue.

An owner creates a pool, sets its commission and cap and adds workers it operates; delegators
contribute PHA and receive shares at the pool's price (value ÷ shares). The owner starts
workers with the pool's free stake: it moves to the pool's lock account, where computation
reserves it. A worker's payout arrives there too and is split at once: the commission to the
owner-reward account, the rest into the pool's free stake, raising the share price for every
delegator (auto-compounding). Withdrawals queue (FIFO, one request per delegator) and are
paid from free stake whenever some appears; if a request waits beyond the grace period and
the pool's free and cooling stake cannot cover it, anyone may stop all its workers.
Phala's StakePool v2 (``stake_pool_v2.rs``, ``base_pool.rs``) is the model; ``docs/pools.md``
lists where khala differs.
"""
