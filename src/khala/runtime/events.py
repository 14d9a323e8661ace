"""``EventRecord``: one entry of ``System.Events``, FRAME's layout.

The event itself is any module's event variant; :data:`khala.runtime.outer.RuntimeEvent`
encodes it behind its module index, so this file never changes when a module is added.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from khala.primitives.scale import H256
from khala.runtime.outer import RuntimeEvent
from khala.runtime.types import Phase


@dataclass(frozen=True, slots=True)
class EventRecord:
    """One entry of ``System.Events`` (``frame_system::EventRecord``)."""

    phase: Phase
    """When it happened."""
    event: RuntimeEvent
    """What happened: a variant of some module's ``Event`` family."""
    topics: list[H256]
    """Indexed topics (unused, always empty)."""


def record(phase: Phase, event: Any) -> EventRecord:
    """Return the ``EventRecord`` of a module event emitted in ``phase``."""
    return EventRecord(phase, event, [])
