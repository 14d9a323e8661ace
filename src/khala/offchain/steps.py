"""Per-block V steps in plain integers: the gatekeeper's hot loop.

V and its deductible are U64F64 bits here; each product truncates as U64F64 ``*`` does, so
``n`` calls of one step give exactly what ``n`` blocks of Phala's ``update_v_idle`` /
``update_v_slash`` give. The loops stop early once a step no longer changes V: at Vmax an idle
step only adds the same ΔV to the deductible (applied ``n`` times in one product), and a slash
that rounds to zero stays zero. Everything else is one step per block, which is why the
engine only steps a worker when it is touched.
"""

from __future__ import annotations

from khala.primitives.fixed_point import FRACTION_BITS, ONE_BITS, U64F64
from khala.runtime.modules.computation.tokenomics import TokenomicParameters


def idle_step_constants(
    params: TokenomicParameters, p_instant: U64F64, p_bench: U64F64
) -> tuple[int, int, int]:
    """``(P/P_bench, ρ − 1, cost_k·P_bench + cost_b)`` as bits, for :func:`grow_idle`.

    A zero benchmark score counts as full performance (Phala's ``perf_multiplier`` of 1).
    """
    ratio = ONE_BITS if not p_bench.bits else (p_instant.bits << FRACTION_BITS) // p_bench.bits
    cost = ((params.cost_k.bits * p_bench.bits) >> FRACTION_BITS) + params.cost_b.bits
    return ratio, params.rho.bits - ONE_BITS, cost


def grow_idle(
    v: int, deductible: int, ratio: int, rho1: int, cost: int, v_max: int, blocks: int
) -> tuple[int, int]:
    """``blocks`` idle steps: ``ΔV = ratio·((ρ−1)·V + cost)``, deductible += ΔV, V capped."""
    if ratio == ONE_BITS:  # P = P_bench: multiplying by one is exact, so skip it
        while blocks > 0:
            delta = ((rho1 * v) >> FRACTION_BITS) + cost
            if v == v_max or delta == 0:
                return v, deductible + delta * blocks
            v = min(v + delta, v_max)
            deductible += delta
            blocks -= 1
        return v, deductible
    while blocks > 0:
        delta = (ratio * (((rho1 * v) >> FRACTION_BITS) + cost)) >> FRACTION_BITS
        if v == v_max or delta == 0:
            return v, deductible + delta * blocks  # every further step is this same one
        v = min(v + delta, v_max)
        deductible += delta
        blocks -= 1
    return v, deductible


def slash(v: int, rate: int, blocks: int) -> int:
    """``blocks`` unresponsive steps: ``V −= V·slash_rate`` each."""
    while blocks > 0:
        cut = (v * rate) >> FRACTION_BITS
        if cut == 0:
            return v
        v -= cut
        blocks -= 1
    return v
