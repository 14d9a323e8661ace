"""Tokenomic parameters in U64F64 (DESIGN §7) and the formulas the chain and gatekeepers share.

The parameters live on chain (``Computation.TokenomicParameters``, set by governance and
applied at the end of the block that changes them) and gatekeepers read them from there, so
the chain's admission checks and the gatekeepers' economics cannot disagree. U64F64 fields
SCALE-encode as ``u128`` bits, as Phala stores its fixed-point parameters.
"""

from __future__ import annotations

from dataclasses import dataclass

from khala.primitives.fixed_point import ONE, U64F64
from khala.primitives.scale import U32
from khala.primitives.units import fixed_to_planck

F = U64F64.from_decimal

CONFIDENCE_WEIGHTS = {1: F("1"), 2: F("1"), 3: F("1"), 4: F("0.8"), 5: F("0.7")}
"""Weight of each confidence level (DESIGN §7): full trust for levels 1-3, less for platforms
with unlisted advisories (4) or out-of-date TCBs (5)."""


@dataclass(frozen=True, slots=True)
class TokenomicParameters:
    """Everything the economics is parameterised by."""

    rho: U64F64
    """Per-block growth factor of V for idle workers (ρ)."""
    budget_per_block: U64F64
    """PHA paid out per block across all computing workers."""
    v_max: U64F64
    """Cap on a worker's V (and on Ve at start)."""
    cost_k: U64F64
    """Per-score running cost term of ΔV."""
    cost_b: U64F64
    """Constant running cost term of ΔV."""
    slash_rate: U64F64
    """Fraction of V lost per block while unresponsive."""
    treasury_ratio: U64F64
    """Share of every budget paid to the treasury."""
    heartbeat_window: U32
    """Blocks a challenge may stay unanswered before the worker is unresponsive."""
    rig_k: U64F64
    """Weight of the score in Ve."""
    rig_b: U64F64
    """Constant term of Ve."""
    re: U64F64
    """Confidence amplification of Ve (Re)."""
    k: U64F64
    """Minimum stake factor: S_min = k·√P."""
    expected_heartbeats: U32
    """Target heartbeats per block across all workers."""

    def confidence_weight(self, level: int) -> U64F64:
        """The weight of a confidence level: 1-3 → 1.0, 4 → 0.8, 5 → 0.7."""
        return CONFIDENCE_WEIGHTS[level]

    def initial_v(self, stake_pha: U64F64, score: int, conf_level: int) -> U64F64:
        """``Ve = (1 + conf·(Re − 1))·(S + rig_k·P + rig_b)`` (each product truncated)."""
        factor = ONE + self.confidence_weight(conf_level) * (self.re - ONE)
        return factor * (stake_pha + self.rig_k.mul_int(score) + self.rig_b)

    def minimum_stake(self, score: int) -> U64F64:
        """``S_min = k·√P`` in PHA, with Phala's square root (32 fraction bits, truncated)."""
        return self.k * U64F64.from_int(score).sqrt32()

    def minimum_stake_planck(self, score: int) -> int:
        """``S_min`` in planck, truncated as Phala converts it: the least stake accepted."""
        return fixed_to_planck(self.minimum_stake(score))


GEMINI = TokenomicParameters(
    rho=F("1.000000666600231"),
    budget_per_block=F("187.8783"),
    v_max=F("30000"),
    cost_k=F("0.00000002371"),
    cost_b=F("0.00005054"),
    slash_rate=F("0"),
    treasury_ratio=F("0.2"),
    heartbeat_window=20,
    rig_k=F("0.4498"),
    rig_b=F("0"),
    re=F("1.5"),
    k=F("50"),
    expected_heartbeats=20,
)
"""The khala preset's parameters (DESIGN §7, Phala's "Gemini" values)."""
