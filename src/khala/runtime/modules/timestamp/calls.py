"""Timestamp's one call: the ``set`` inherent."""

from __future__ import annotations

from dataclasses import dataclass

from khala.primitives.scale import CompactU64, ScaleEnum, variant
from khala.runtime.context import Context, ensure_none
from khala.runtime.dispatch_table import CallSpec
from khala.runtime.modules.timestamp.constants import SET_WEIGHT
from khala.runtime.modules.timestamp.errors import TimestampErrorCode, timestamp_error
from khala.runtime.modules.timestamp.state import DID_UPDATE, NOW
from khala.runtime.state import State
from khala.runtime.types import DispatchClass, Pays


class Call(ScaleEnum):
    """A Timestamp call."""


@variant(0)
@dataclass(frozen=True, slots=True)
class Set(Call):
    """Set the block's time (an unsigned inherent, first in every block)."""

    now: CompactU64
    """Milliseconds since the Unix epoch."""


def set_now(state: State, ctx: Context, args: Set) -> None:
    """Validate monotonicity against the minimum period, then store the time."""
    ensure_none(ctx)
    if DID_UPDATE.get(state):
        raise timestamp_error(TimestampErrorCode.ALREADY_SET, "the timestamp was already set")
    previous = NOW.get(state)
    minimum = previous + ctx.config.minimum_period_ms if previous else 0
    if args.now < minimum:
        raise timestamp_error(
            TimestampErrorCode.TOO_EARLY, f"timestamp {args.now} is before the minimum {minimum}"
        )
    NOW.put(state, args.now)
    DID_UPDATE.put(state, True)


CALLS: dict[type, CallSpec] = {Set: CallSpec(set_now, SET_WEIGHT, DispatchClass.MANDATORY, Pays.NO)}
"""Handlers of Timestamp's calls."""
