"""Authorship's call: governance schedules a new authority set.

``schedule_change(authorities, delay)`` (root, or two thirds of the council) validates the
set — not empty, at most :data:`MAX_AUTHORITIES`, no finality key twice — and records it as
the pending change, to take effect ``delay`` blocks later (at the start of that block, as
GRANDPA's scheduled changes do). One change may be pending at a time.
"""

from __future__ import annotations

from dataclasses import dataclass

from khala.primitives.scale import U32, ScaleEnum, variant
from khala.runtime.context import TWO_THIRDS, Context, ensure_governance
from khala.runtime.dispatch_table import CallSpec
from khala.runtime.modules.authorship.constants import MAX_AUTHORITIES, SCHEDULE_WEIGHT
from khala.runtime.modules.authorship.errors import AuthorshipCallErrorCode, authorship_error
from khala.runtime.modules.authorship.events import ChangeScheduled
from khala.runtime.modules.authorship.state import (
    AUTHORITY_SET_ID,
    PENDING_CHANGE,
    Authority,
    PendingChange,
)
from khala.runtime.state import State
from khala.runtime.types import DispatchClass


class Call(ScaleEnum):
    """An Authorship call."""


@variant(0)
@dataclass(frozen=True, slots=True)
class ScheduleChange(Call):
    """Replace the authority set ``delay`` blocks from now (governance)."""

    authorities: list[Authority]
    """The new set, in slot order."""
    delay: U32
    """Blocks until the change; 0 makes the next block's the new set's first."""


def schedule_change(state: State, ctx: Context, args: ScheduleChange) -> None:
    """Validate the set, then record the pending change and emit ``ChangeScheduled``."""
    ensure_governance(ctx, TWO_THIRDS)
    if not args.authorities:
        raise authorship_error(AuthorshipCallErrorCode.EMPTY_SET, "the new set has no authority")
    if len(args.authorities) > MAX_AUTHORITIES:
        raise authorship_error(
            AuthorshipCallErrorCode.TOO_MANY_AUTHORITIES,
            f"{len(args.authorities)} authorities; at most {MAX_AUTHORITIES}",
        )
    keys = [authority.finality_key for authority in args.authorities]
    if len(set(keys)) != len(keys):
        raise authorship_error(
            AuthorshipCallErrorCode.DUPLICATE_KEY, "a finality key appears twice in the new set"
        )
    if PENDING_CHANGE.get(state) is not None:
        raise authorship_error(
            AuthorshipCallErrorCode.CHANGE_PENDING,
            "another authority set change is pending; wait until it takes effect",
        )
    at = ctx.env.number + 1 + args.delay
    PENDING_CHANGE.put(state, PendingChange(at, list(args.authorities)))
    ctx.emit(ChangeScheduled(at, AUTHORITY_SET_ID.get(state) + 1, list(args.authorities)))


CALLS: dict[type, CallSpec] = {
    ScheduleChange: CallSpec(schedule_change, SCHEDULE_WEIGHT, DispatchClass.OPERATIONAL)
}
"""Handlers of Authorship's calls."""
