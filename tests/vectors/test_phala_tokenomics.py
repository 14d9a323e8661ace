"""Phala's own tokenomic numbers (``test_tokenomic`` in its computation pallet), bit for bit.

Parameters are written as Phala writes them (decimal literals rounded to nearest, then integer
products and truncating divisions); then S_min, Ve per confidence level, rig cost, the hourly
slash and ρ, the daily budget and the yearly running cost.

The vectors are in ``phala_tokenomics.json`` with the Phala test each comes from; the
expected fixed-point values are compared as exact bits of Phala's literals.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from khala.primitives.fixed_point import U64F64
from khala.runtime.modules.computation.challenge import online_target
from khala.runtime.modules.computation.tokenomics import GEMINI, TokenomicParameters

VECTORS = json.loads((Path(__file__).parent / "phala_tokenomics.json").read_text())
PHA = 10**12


def _fixed(spec: dict[str, Any]) -> U64F64:
    value = U64F64.from_decimal(spec["literal"]).mul_int(spec.get("mul", 1))
    return value.div_int(spec.get("div", 1))


def _params() -> TokenomicParameters:
    raw = VECTORS["params"]
    fields = {name: _fixed(spec) for name, spec in raw.items() if isinstance(spec, dict)}
    return replace(GEMINI, heartbeat_window=raw["heartbeat_window"], **fields)


def _bits(text: str) -> int:
    return U64F64.from_decimal(text).bits


def _pow(x: U64F64, n: int) -> U64F64:
    """Phala's test helper: square-and-multiply with truncating products."""
    result, square = U64F64.from_int(1), x
    while n:
        if n & 1:
            result = result * square
        square = square * square
        n >>= 1
    return result


@pytest.mark.parametrize("vector", VECTORS["minimal_stake_planck"], ids=lambda v: v["test"])
def test_minimal_stake(vector: dict[str, Any]) -> None:
    """S_min keeps Phala's 32-bit-fraction square root: Phala's own minimum is accepted."""
    assert _params().minimum_stake_planck(vector["score"]) == int(vector["planck"])


@pytest.mark.parametrize("vector", VECTORS["ve"], ids=lambda v: f"confidence {v['confidence']}")
def test_ve_per_confidence_level(vector: dict[str, Any]) -> None:
    stake = U64F64.from_int(vector["stake_pha"])
    ve = _params().initial_v(stake, vector["score"], vector["confidence"])
    assert ve.bits == _bits(vector["fixed"])


@pytest.mark.parametrize("vector", VECTORS["rig_cost"], ids=lambda v: f"score {v['score']}")
def test_rig_cost(vector: dict[str, Any]) -> None:
    params = _params()
    assert (params.rig_k.mul_int(vector["score"]) + params.rig_b).bits == _bits(vector["fixed"])


def test_hourly_slash_rho_daily_budget_yearly_cost() -> None:
    params = _params()
    hour = VECTORS["per_hour"]
    one = U64F64.from_int(1)
    assert _pow(one - params.slash_rate, hour["blocks"]).bits == _bits(hour["slash_decay"])
    assert _pow(params.rho, hour["blocks"]).bits == _bits(hour["rho"])
    day = VECTORS["budget_per_day"]
    assert params.budget_per_block.mul_int(day["blocks"]).bits == _bits(day["fixed"])
    year = VECTORS["op_cost_per_year"]
    op_cost = params.cost_k.mul_int(year["score"]) + params.cost_b
    assert op_cost.div_int(12).mul_int(3600 * 24 * 365).bits == _bits(year["fixed"])
    assert params.v_max.bits == _bits(VECTORS["v_max"])


def test_literals_round_to_nearest_as_phala_parses_them() -> None:
    """0.8 is 0xCCCC…CCCD (nearest), not …CCCC (truncated); ties go to even."""
    assert U64F64.from_decimal("0.8").bits == 0xCCCC_CCCC_CCCC_CCCD
    assert U64F64.from_decimal("0.5").bits == 1 << 63
    assert U64F64.from_decimal("1.3").bits == (1 << 64) + 0x4CCC_CCCC_CCCC_CCCD
    half_ulp = "0." + "0" * 19 + "271050543121376108501863200217485427856445312"  # 2**-65
    assert U64F64.from_decimal(half_ulp).bits == 0  # a tie: rounds to even (0)


@pytest.mark.parametrize(
    "case", VECTORS["pow_target"]["cases"], ids=lambda c: f"{c['workers']} workers"
)
def test_online_target(case: dict[str, Any]) -> None:
    """The challenge target: none without workers, capped at 2 per worker-hour, else 20/N."""
    target = online_target(case["workers"], case["block_secs"], case["expected_heartbeats"])
    assert target == int(case["target"])
