"""Presets: the constants that differ between the dev chain and the real network.

A preset is chosen at genesis and stored in state (``:khala:preset``), so every node and worker
agrees on it. Presets change constants only; no production check depends on a preset flag
except which modules exist (the dev chain has ``sudo``; production chains have none).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

PRESET_KEY = b":khala:preset"
"""Well-known storage key holding the preset's name."""
PRESET_OVERRIDES_KEY = b":khala:preset_overrides"
"""Well-known storage key holding the constants a genesis config overrode (canonical JSON),
absent when it overrode none."""
FIXED_FIELDS = frozenset({"name", "has_sudo"})
"""Preset fields no genesis may override: which preset it is, and whether sudo exists."""


class PresetName(StrEnum):
    """The known presets."""

    DEV = "dev"
    """Fast local development: 2 s blocks, sudo, a 30 s cool-down, 5-block benchmarks and a
    heartbeat challenge every 10 s per worker."""
    KHALA = "khala"
    """The real network's constants: 12 s blocks, no sudo."""


@dataclass(frozen=True, slots=True)
class Preset:
    """Chain constants chosen at genesis."""

    name: PresetName
    """Which preset."""
    block_time_ms: int
    """Target time between blocks."""
    has_sudo: bool
    """Whether the sudo module exists (dev only)."""
    max_block_length: int = 5 * 1024 * 1024
    """Largest encoded block body in bytes (Substrate's default 5 MiB)."""
    max_extrinsic_length: int = 4 * 1024 * 1024
    """Largest single extrinsic; bigger ones are rejected before decoding."""
    max_block_weight: int = 2_000_000_000_000
    """Weight limit per block (2 s of reference time, Substrate's default)."""
    timestamp_drift_ms: int = 30_000
    """How far a block's timestamp may run ahead of an importer's clock."""
    cool_down_secs: int = 7 * 24 * 3600
    """How long a stopped worker's stake stays locked before ``reclaim`` (khala: 7 days)."""
    benchmark_blocks: int = 50
    """Blocks a newly registered worker benchmarks for before it reports its score."""
    heartbeats_per_hour: int = 2
    """How often each computing worker is challenged at most (khala: twice an hour)."""
    council_motion_blocks: int = 3 * 24 * 3600 // 12
    """Blocks after which a council motion may be closed whatever its tally (khala: 3 days)."""
    crowdloan_vesting_blocks: int = 96 * 7 * 24 * 3600 // 12
    """Blocks over which crowdloan rewards vest (khala: 96 weeks of 12 s blocks)."""
    democracy_launch_blocks: int = 7 * 24 * 3600 // 12
    """Blocks between referendum launches (khala: 7 days, Khala's ``LaunchPeriod``)."""
    democracy_voting_blocks: int = 7 * 24 * 3600 // 12
    """How long a referendum is open (khala: 7 days)."""
    democracy_fast_track_blocks: int = 3 * 3600 // 12
    """The shortest voting period the council may fast-track to (khala: 3 hours)."""
    democracy_enactment_blocks: int = 8 * 24 * 3600 // 12
    """Blocks from a public referendum passing to its call running (khala: 8 days), so those
    who voted against can leave before it takes effect."""
    democracy_lock_blocks: int = 8 * 24 * 3600 // 12
    """One conviction lock period (khala: 8 days, the enactment period, as in FRAME's
    runtimes): a 6x vote stays locked 32 of them after the referendum."""
    treasury_spend_blocks: int = 24 * 3600 // 12
    """Blocks between treasury spend periods (khala: 1 day)."""
    treasury_burn_permill: int = 10_000
    """Share of the unspent treasury burned each spend period, in parts per million (1 %, as
    Polkadot's ``Burn``)."""
    withdraw_grace_secs: int = 7 * 24 * 3600
    """How long a stake pool withdrawal may wait before anyone may force the pool's workers
    to stop (khala: 7 days, Phala's ``GracePeriod``)."""

    @property
    def minimum_period_ms(self) -> int:
        """Least time between consecutive block timestamps (half the block time, as FRAME)."""
        return self.block_time_ms // 2


DEV = Preset(
    PresetName.DEV,
    block_time_ms=2_000,
    has_sudo=True,
    cool_down_secs=30,
    benchmark_blocks=5,
    heartbeats_per_hour=360,
    withdraw_grace_secs=60,
    crowdloan_vesting_blocks=600,
    council_motion_blocks=20,
    democracy_launch_blocks=30,
    democracy_voting_blocks=30,
    democracy_fast_track_blocks=5,
    democracy_enactment_blocks=5,
    democracy_lock_blocks=10,
    treasury_spend_blocks=20,
)
"""The dev preset."""
KHALA = Preset(PresetName.KHALA, block_time_ms=12_000, has_sudo=False)
"""The khala preset (the real network's constants)."""
PRESETS = {preset.name: preset for preset in (DEV, KHALA)}
"""Presets by name."""


def overridable() -> frozenset[str]:
    """The preset constants a genesis config may override (every integer constant)."""
    return frozenset(f for f in Preset.__dataclass_fields__ if f not in FIXED_FIELDS)


def overrides_bytes(overrides: tuple[tuple[str, int], ...]) -> bytes:
    """The canonical encoding of overrides stored on chain (sorted JSON, no spaces)."""
    return json.dumps(dict(sorted(overrides)), separators=(",", ":")).encode()


def with_overrides(preset: Preset, overrides: tuple[tuple[str, int], ...]) -> Preset:
    """``preset`` with some constants replaced (short periods for a test network)."""
    changes: dict[str, Any] = dict(overrides)
    return replace(preset, **changes) if changes else preset


def check_overrides(document: object) -> tuple[tuple[str, int], ...]:
    """Validate overrides (``{"block_time_ms": 1000, ...}``), sorted by name.

    Raises:
        ValueError: Naming the first constant that does not exist, may not be overridden or is
            not a positive integer.
    """
    if not isinstance(document, dict):
        raise ValueError("preset_overrides must be an object of constant -> integer")
    allowed = overridable()
    found = []
    for name, value in sorted(document.items()):
        if name not in allowed:
            raise ValueError(f"preset_overrides: {name!r} is not an overridable constant")
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ValueError(f"preset_overrides.{name} must be a positive integer")
        found.append((name, value))
    return tuple(found)


def parse_overrides(raw: bytes | None) -> tuple[tuple[str, int], ...]:
    """Decode the overrides stored on chain (none when absent).

    Raises:
        ValueError: When the stored value is not valid overrides.
    """
    return check_overrides(json.loads(raw)) if raw else ()
