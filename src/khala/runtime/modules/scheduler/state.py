"""Scheduler's storage."""

from __future__ import annotations

from khala.primitives.hashing import StorageHasher
from khala.primitives.scale import H256, U32
from khala.runtime.modules.scheduler.constants import MODULE_NAME
from khala.runtime.modules.scheduler.types import Scheduled, TaskAddress
from khala.runtime.storage import StorageMap, StorageValue

AGENDA: StorageMap[int, list[Scheduled | None]] = StorageMap(
    MODULE_NAME, "Agenda", StorageHasher.TWOX64_CONCAT, U32, list[Scheduled | None], []
)
"""Scheduler.Agenda: block number -> its tasks (a cancelled slot becomes None so the other
tasks keep their indices)."""
LOOKUP: StorageMap[bytes, TaskAddress | None] = StorageMap(
    MODULE_NAME, "Lookup", StorageHasher.TWOX64_CONCAT, H256, TaskAddress | None, None
)
"""Scheduler.Lookup: task name -> where the task sits."""
INCOMPLETE_SINCE: StorageValue[int | None] = StorageValue(
    MODULE_NAME, "IncompleteSince", U32 | None, None
)
"""Scheduler.IncompleteSince: the earliest block whose agenda still holds tasks the weight
limit postponed (absent when every past agenda is done)."""
