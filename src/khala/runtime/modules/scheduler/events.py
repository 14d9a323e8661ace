"""Scheduler's events."""

from __future__ import annotations

from dataclasses import dataclass

from khala.primitives.scale import H256, Err, ScaleEnum, variant
from khala.primitives.scale import Ok as ScaleOk
from khala.runtime.modules.scheduler.types import TaskAddress
from khala.runtime.types import BlockNumber, DispatchErrorRecord


class Event(ScaleEnum):
    """A scheduler event."""


@variant(0)
@dataclass(frozen=True, slots=True)
class Scheduled(Event):
    """A task was scheduled (or moved) to ``when``."""

    when: BlockNumber
    """The block it runs in."""
    index: BlockNumber
    """Its slot in that block's agenda."""


@variant(1)
@dataclass(frozen=True, slots=True)
class Canceled(Event):
    """A task was cancelled (or moved away from ``when``)."""

    when: BlockNumber
    """The block it would have run in."""
    index: BlockNumber
    """Its slot in that block's agenda."""


@variant(2)
@dataclass(frozen=True, slots=True)
class Dispatched(Event):
    """A task ran; ``result`` says whether its call succeeded."""

    task: TaskAddress
    """Where it was scheduled."""
    id: H256 | None
    """Its name, if it had one."""
    result: ScaleOk[tuple[()]] | Err[DispatchErrorRecord]
    """Ok, or why the call failed."""


@variant(6)
@dataclass(frozen=True, slots=True)
class PeriodicFailed(Event):
    """A periodic task ran but could not be placed for its next run (that agenda was full)."""

    task: TaskAddress
    """Where it ran."""
    id: H256 | None
    """Its name, if it had one."""
