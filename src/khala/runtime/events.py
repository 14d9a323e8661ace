"""``EventRecord``: one entry of ``System.Events``, FRAME's layout.

The event itself is any module's event variant; :data:`khala.runtime.outer.RuntimeEvent`
encodes it behind its module index, so this file never changes when a module is added.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from khala.primitives.scale import H256, codec_of, encode_compact
from khala.runtime.outer import EVENT_CODEC, RuntimeEvent
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


_PHASE = codec_of(Phase)
"""The codec of :class:`Phase`."""


def encode_records(events: Sequence[tuple[Phase, Any]]) -> bytes:
    """Encode ``(phase, event)`` pairs as ``Vec<EventRecord>`` with empty topics.

    The same bytes as encoding a list of :func:`record`s, written straight into one buffer
    (a block of transfers holds tens of thousands of events; each phase is encoded once per
    run of events sharing it).
    """
    out = bytearray()
    encode_compact(len(events), out)
    encode_event = EVENT_CODEC.encode_to
    last_phase: Phase | None = None
    phase_bytes = b""
    for phase, event in events:
        if phase is not last_phase:
            last_phase, phase_bytes = phase, _PHASE.encode(phase)
        out += phase_bytes
        encode_event(event, out)
        out.append(0)  # no topics
    return bytes(out)
