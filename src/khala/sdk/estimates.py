"""Reward estimates against a live chain: its parameters, its preset and its Σshare.

The simulation itself is :mod:`khala.offchain.estimator` (the gatekeepers' engine); this module
gathers what it needs from a node: the tokenomic parameters in force, the block time and
challenge rate of the chain's preset, and every computing worker's share as the gatekeepers
weigh it (``√(V² + (2·P·conf)²)`` from the settled V and the last measured P).
"""

from __future__ import annotations

from khala.offchain.economics import EconomicsEngine, WorkerEconomics
from khala.offchain.estimator import Estimate, Network, Profile, estimate
from khala.primitives.fixed_point import U64F64, ZERO
from khala.runtime.modules.computation import state as cst
from khala.runtime.modules.computation.types import SessionState
from khala.runtime.modules.registry import state as rst
from khala.runtime.modules.stake_pool.types import PoolInfo
from khala.sdk.client import Client
from khala.sdk.mining import chain_preset, keys_with_prefix, read


def network_shares(client: Client) -> dict[bytes, U64F64]:
    """Each computing (idle) worker's share, by worker key."""
    params = read(client, cst.TOKENOMIC_PARAMETERS)
    engine = EconomicsEngine(params)
    shares: dict[bytes, U64F64] = {}
    for key in keys_with_prefix(client, cst.SESSIONS.prefix):
        session = key[-32:]
        record = read(client, cst.SESSIONS, session)
        if record is None or record.state is not SessionState.WORKER_IDLE:
            continue
        worker = read(client, cst.SESSION_BINDINGS, session)
        info = None if worker is None else read(client, rst.WORKERS, bytes(worker))
        if worker is None or info is None:
            continue
        economics = WorkerEconomics(
            p_bench=U64F64.from_int(max(record.p_init, 1)),
            p_instant=U64F64.from_int(record.p_instant),
            conf=params.confidence_weight(info.confidence_level),
            v=record.v,
            v_deductible=ZERO,
            updated_at=0,
            last_payout=0,
        )
        shares[bytes(worker)] = engine.share_of(economics)
    return shares


def estimate_on_chain(
    client: Client,
    profile: Profile,
    *,
    days: int,
    network_workers: int | None = None,
    network_share: U64F64 | None = None,
    commission_ppm: int = 0,
    exclude: bytes | None = None,
    shares: dict[bytes, U64F64] | None = None,
) -> Estimate:
    """Estimate ``profile`` with the chain's parameters; Σshare from the chain unless given.

    ``exclude`` leaves one worker's own share out of the live Σshare (estimating a worker
    that is already computing); ``shares`` reuses :func:`network_shares` already read.
    """
    params = read(client, cst.TOKENOMIC_PARAMETERS)
    preset = chain_preset(client)
    if network_workers is not None:
        network = Network(workers=network_workers)
    elif network_share is not None:
        network = Network(share=network_share)
    else:
        shares = network_shares(client) if shares is None else shares
        total = ZERO
        for worker, share in shares.items():
            if worker != exclude:
                total = total + share
        network = Network(share=total)
    return estimate(
        params,
        profile,
        network,
        days=days,
        block_secs=max(preset.block_time_ms // 1000, 1),
        heartbeats_per_hour=preset.heartbeats_per_hour,
        commission_ppm=commission_ppm,
    )


APR_DAYS = 30
"""``khala pool show`` estimates the APR from 30 simulated days."""


def pool_apr_ppm(client: Client, pool: PoolInfo) -> int | None:
    """The pool's delegators' estimated annual return on its value, in parts per million.

    Each computing worker is estimated with its score, confidence and stake against the
    rest of the live network, the pool's commission taken out; None for a pool without value.
    """
    if not pool.total_value:
        return None
    shares = network_shares(client)
    earned = 0
    for key in pool.workers:
        worker = bytes(key)
        if worker not in shares:
            continue  # not computing
        info = read(client, rst.WORKERS, worker)
        session = read(client, cst.WORKER_BINDINGS, worker)
        stake = 0 if session is None else read(client, cst.STAKES, session)
        if info is None or not stake:
            continue
        profile = Profile(info.initial_score or 1, info.confidence_level, stake)
        result = estimate_on_chain(
            client,
            profile,
            days=APR_DAYS,
            commission_ppm=pool.commission,
            exclude=worker,
            shares=shares,
        )
        earned += result.to_delegators
    return earned * 365 * 1_000_000 // (pool.total_value * APR_DAYS)
