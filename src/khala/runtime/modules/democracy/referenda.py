"""Proposals becoming referenda, referenda being tallied, passed ones being enacted."""

from __future__ import annotations

from khala.primitives.scale import ScaleError, codec_of
from khala.runtime.context import Context, RootOrigin, run_nested
from khala.runtime.errors import DispatchError
from khala.runtime.modules.balances import currency
from khala.runtime.modules.democracy import events as ev
from khala.runtime.modules.democracy import state as st
from khala.runtime.modules.democracy.calls import EnactProposal
from khala.runtime.modules.democracy.constants import ENACTMENT_TASK_PREFIX
from khala.runtime.modules.democracy.errors import DemocracyErrorCode, democracy_error
from khala.runtime.modules.democracy.tally import approved
from khala.runtime.modules.democracy.types import (
    Finished,
    Ongoing,
    ReferendumStatus,
    Tally,
    VoteThreshold,
)
from khala.runtime.modules.preimage.calls import fetch
from khala.runtime.modules.scheduler import agenda
from khala.runtime.outer import RuntimeCall
from khala.runtime.state import State

_CALL = codec_of(RuntimeCall)


def enactment_task(index: int) -> bytes:
    """The scheduler task name of referendum ``index``'s enactment (32 bytes)."""
    return (ENACTMENT_TASK_PREFIX + index.to_bytes(4, "little")).ljust(32, b"\0")


def start(
    state: State, ctx: Context, proposal: bytes, threshold: VoteThreshold, delay: int, end: int
) -> int:
    """Start a referendum on ``proposal`` ending at block ``end``; returns its index."""
    index = st.REFERENDUM_COUNT.get(state)
    st.REFERENDUM_COUNT.put(state, index + 1)
    status = ReferendumStatus(end, proposal, threshold, delay, Tally(0, 0, 0))
    st.REFERENDUM_INFO_OF.insert(state, index, Ongoing(status))
    ctx.emit(ev.Started(index, threshold))
    return index


def _launch_public(state: State, ctx: Context) -> bool:
    """Table the most-backed public proposal (earliest among equals); return whether one was."""
    props = st.PUBLIC_PROPS.get(state)
    if not props:
        return False

    def backing(entry: tuple[int, bytes, bytes]) -> int:
        deposit = st.DEPOSIT_OF.get(state, int(entry[0]))
        return 0 if deposit is None else len(deposit[0]) * deposit[1]

    best = max(props, key=lambda entry: (backing(entry), -int(entry[0])))
    index, proposal, _ = best
    st.PUBLIC_PROPS.put(state, [entry for entry in props if entry != best])
    deposit = st.DEPOSIT_OF.get(state, int(index))
    st.DEPOSIT_OF.remove(state, int(index))
    if deposit is not None:
        backers, amount = deposit
        for backer in backers:
            currency.unreserve(state, ctx, bytes(backer), amount)
        ctx.emit(ev.Tabled(index, amount))
    config = ctx.config
    start(
        state,
        ctx,
        bytes(proposal),
        VoteThreshold.SUPER_MAJORITY_APPROVE,
        config.democracy_enactment_blocks,
        ctx.env.number + config.democracy_voting_blocks,
    )
    return True


def _launch_external(state: State, ctx: Context) -> bool:
    """Table the council's waiting proposal; returns whether there was one."""
    external = st.NEXT_EXTERNAL.get(state)
    if external is None:
        return False
    proposal, threshold = external
    st.NEXT_EXTERNAL.kill(state)
    st.LAST_TABLED_WAS_EXTERNAL.put(state, True)
    ctx.emit(ev.ExternalTabled())
    config = ctx.config
    start(
        state,
        ctx,
        bytes(proposal),
        VoteThreshold(threshold),
        config.democracy_enactment_blocks,
        ctx.env.number + config.democracy_voting_blocks,
    )
    return True


def launch_next(state: State, ctx: Context) -> None:
    """At a launch period: table a public or the external proposal, alternating (FRAME's)."""
    if st.LAST_TABLED_WAS_EXTERNAL.get(state):
        if _launch_public(state, ctx):
            st.LAST_TABLED_WAS_EXTERNAL.put(state, False)
        else:
            _launch_external(state, ctx)
    elif not _launch_external(state, ctx):
        _launch_public(state, ctx)


def bake(state: State, ctx: Context, index: int, status: ReferendumStatus) -> None:
    """Tally a referendum that ends now; schedule a passed one's enactment after its delay."""
    electorate = currency.total_issuance(state)
    passed = approved(VoteThreshold(status.threshold), status.tally, electorate)
    st.REFERENDUM_INFO_OF.insert(state, index, Finished(passed, ctx.env.number))
    if not passed:
        ctx.emit(ev.NotPassed(index))
        return
    ctx.emit(ev.Passed(index))
    agenda.schedule(
        state,
        ctx,
        ctx.env.number + max(status.delay, 1),
        EnactProposal(status.proposal, index),
        maybe_id=enactment_task(index),
        priority=63,
    )


def bake_due(state: State, ctx: Context) -> None:
    """Tally every ongoing referendum ending in this block."""
    now = ctx.env.number
    lowest = st.LOWEST_UNBAKED.get(state)
    count = st.REFERENDUM_COUNT.get(state)
    for index in range(lowest, count):
        info = st.REFERENDUM_INFO_OF.get(state, index)
        if isinstance(info, Ongoing) and info.status.end <= now:
            bake(state, ctx, index, info.status)
    while lowest < count and not isinstance(st.REFERENDUM_INFO_OF.get(state, lowest), Ongoing):
        lowest += 1
    st.LOWEST_UNBAKED.put(state, lowest)


def enact(state: State, ctx: Context, proposal: bytes, index: int) -> None:
    """Look ``proposal`` up among the preimages and dispatch it as root; emits ``Enacted``.

    Raises:
        DispatchError: ``democracy.preimage_missing`` / ``democracy.preimage_invalid``.
    """
    raw = fetch(state, proposal)
    if raw is None:
        raise democracy_error(
            DemocracyErrorCode.PREIMAGE_MISSING,
            f"referendum #{index} passed but no preimage of 0x{proposal.hex()} is noted",
        )
    try:
        call = _CALL.decode(raw)
    except ScaleError as error:
        raise democracy_error(
            DemocracyErrorCode.PREIMAGE_INVALID, f"the preimage is not a call: {error.message}"
        ) from None
    result = run_nested(state, ctx.with_origin(RootOrigin()), call)
    ctx.emit(ev.Enacted(index, proposal, result))


def cancel(state: State, ctx: Context, index: int) -> None:
    """Cancel an ongoing referendum, or a passed one's pending enactment.

    Raises:
        DispatchError: ``democracy.referendum_invalid`` when there is neither.
    """
    info = st.REFERENDUM_INFO_OF.get(state, index)
    if isinstance(info, Ongoing):
        st.REFERENDUM_INFO_OF.insert(state, index, Finished(False, ctx.env.number))
    elif isinstance(info, Finished) and info.approved:
        try:
            agenda.cancel_named(state, ctx, enactment_task(index))
        except DispatchError:
            raise democracy_error(
                DemocracyErrorCode.REFERENDUM_INVALID,
                f"referendum #{index} was already enacted",
            ) from None
        st.REFERENDUM_INFO_OF.insert(state, index, Finished(False, info.end))
    else:
        raise democracy_error(
            DemocracyErrorCode.REFERENDUM_INVALID,
            f"referendum #{index} is neither ongoing nor passed",
        )
    ctx.emit(ev.Cancelled(index))
