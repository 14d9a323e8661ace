"""System's calls: remarks (arbitrary data notarised on chain)."""

from __future__ import annotations

from dataclasses import dataclass

from khala.primitives.hashing import blake2_256
from khala.primitives.scale import ScaleEnum, variant
from khala.runtime.context import Context, ensure_signed
from khala.runtime.dispatch_table import CallSpec
from khala.runtime.modules.system.constants import REMARK_WEIGHT
from khala.runtime.modules.system.events import Remarked
from khala.runtime.state import State


class Call(ScaleEnum):
    """A System call."""


@variant(0)
@dataclass(frozen=True, slots=True)
class Remark(Call):
    """Put data on chain without effects (``system.remark``)."""

    remark: bytes
    """The data."""


@variant(7)
@dataclass(frozen=True, slots=True)
class RemarkWithEvent(Call):
    """Put data on chain and emit its hash (``system.remark_with_event``)."""

    remark: bytes
    """The data."""


def remark(state: State, ctx: Context, args: Remark) -> None:
    """Accept any origin's remark; the extrinsic itself is the record."""
    del state, ctx, args


def remark_with_event(state: State, ctx: Context, args: RemarkWithEvent) -> None:
    """Emit ``Remarked`` with the remark's hash."""
    del state
    sender = ensure_signed(ctx)
    ctx.emit(Remarked(sender, blake2_256(args.remark)))


CALLS: dict[type, CallSpec] = {
    Remark: CallSpec(remark, REMARK_WEIGHT),
    RemarkWithEvent: CallSpec(remark_with_event, REMARK_WEIGHT),
}
"""Handlers of System's calls."""
