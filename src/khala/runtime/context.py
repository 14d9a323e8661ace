"""What a call sees besides storage: its origin, the block environment and the event log.

Calls record effects only through the context (``ctx.emit``), never by writing events
themselves, so that a rolled-back call also loses the events it emitted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from khala.primitives.scale import Err, Ok
from khala.runtime.errors import DispatchError, DispatchErrorCode
from khala.runtime.presets import Preset
from khala.runtime.state import State
from khala.runtime.types import Address32, AddressId, MultiAddress, Phase


@dataclass(frozen=True, slots=True)
class SignedOrigin:
    """A call signed by an account."""

    account: bytes
    """The signer's account id."""


@dataclass(frozen=True, slots=True)
class RootOrigin:
    """The privileged origin (sudo in dev, governance later)."""


@dataclass(frozen=True, slots=True)
class NoneOrigin:
    """An unsigned origin: inherents."""


@dataclass(frozen=True, slots=True)
class CouncilOrigin:
    """A council motion approved by ``ayes`` of the council's ``members`` (collective origin)."""

    ayes: int
    """Members who voted for it."""
    members: int
    """Council size when it was closed."""


Origin = SignedOrigin | RootOrigin | NoneOrigin | CouncilOrigin
"""Who is making a call."""

HALF = (1, 2)
"""At least half of the council (or root): most governed calls."""
TWO_THIRDS = (2, 3)
"""At least two thirds of the council (or root): fast-tracks, the economics."""
ALL = (1, 1)
"""The whole council (or root)."""


@dataclass(frozen=True, slots=True)
class BlockEnv:
    """Facts about the block being built or imported."""

    number: int
    """The block's height."""
    parent_hash: bytes
    """The parent block's hash."""
    author: bytes | None
    """The author's account id (from the block's pre-runtime digest), if any."""
    genesis_hash: bytes = bytes(32)
    """This chain's genesis hash (registrations must name it)."""
    slot: int | None = None
    """The authoring slot from the header's pre-runtime digest (None when it has none)."""


@dataclass(slots=True)
class EventLog:
    """The block's events in order, truncated on rollback like storage."""

    records: list[tuple[Phase, Any]] = field(default_factory=list)
    """``(phase, module event)`` pairs; the executive wraps them into ``EventRecord``s."""
    _marks: list[int] = field(default_factory=list)

    def begin(self) -> None:
        """Mark the start of a transactional layer."""
        self._marks.append(len(self.records))

    def commit(self) -> None:
        """Keep the events of the innermost layer."""
        self._marks.pop()

    def rollback(self) -> None:
        """Drop the events of the innermost layer."""
        del self.records[self._marks.pop() :]


@dataclass(slots=True)
class Context:
    """The context of one dispatch."""

    origin: Origin
    """Who is calling."""
    env: BlockEnv
    """The block being executed."""
    phase: Phase
    """Where in the block this dispatch runs."""
    events: EventLog
    """The block's event log."""
    config: Preset
    """The chain's preset (periods, limits, which modules exist)."""
    dispatch: Callable[[State, Context, Any], None]
    """Dispatches a nested ``RuntimeCall`` in this context (used by sudo)."""
    routes: Mapping[bytes, Callable[[State, Context, Any], None]] = field(default_factory=dict)
    """The runtime's message routing table: topic -> on-chain handler (used by mq)."""
    listeners: Mapping[str, tuple[Callable[..., None], ...]] = field(default_factory=dict)
    """Announcement name -> the functions other modules run on it (see :meth:`announce`)."""
    weigh: Callable[[Any], int] = field(default=lambda call: 0)
    """The weight of a nested ``RuntimeCall`` (the scheduler's weight limit); the executive
    supplies the runtime's, a context built outside any executive weighs calls at 0."""

    def announce(self, state: State, name: str, *args: Any) -> None:
        """Tell the modules listening to ``name`` (``computation.rewarded``...) what happened.

        A module announces instead of calling a module above it (a stake pool learns of its
        workers' rewards this way), so no module imports one that depends on it. Listeners run
        in table order inside the announcing call's transaction: an error rolls back both.
        """
        for listener in self.listeners.get(name, ()):
            listener(state, self, *args)

    def emit(self, event: Any) -> None:
        """Record a module event (a variant of the module's ``Event`` family)."""
        self.events.records.append((self.phase, event))

    def with_origin(self, origin: Origin) -> Context:
        """Return a copy dispatching as ``origin`` (sudo)."""
        return Context(
            origin,
            self.env,
            self.phase,
            self.events,
            self.config,
            self.dispatch,
            self.routes,
            self.listeners,
            self.weigh,
        )


@contextmanager
def transaction(state: State, events: EventLog | None = None) -> Iterator[None]:
    """Run a block in a storage transaction (and event layer): kept on success, undone on error.

    Any exception rolls back the writes and events made inside the block and propagates::

        with transaction(state, ctx.events):
            handler(state, ctx, message)
    """
    state.begin()
    if events is not None:
        events.begin()
    try:
        yield
    except BaseException:
        state.rollback()
        if events is not None:
            events.rollback()
        raise
    state.commit()
    if events is not None:
        events.commit()


def run_nested(state: State, ctx: Context, call: Any) -> Ok[tuple[()]] | Err[Any]:
    """Dispatch a nested ``RuntimeCall`` in its own storage and event layer; capture its result.

    Used by sudo and the scheduler: the wrapper succeeds whatever the inner call does, and a
    failed inner call leaves no writes and no events behind.
    """
    try:
        with transaction(state, ctx.events):
            ctx.dispatch(state, ctx, call)
    except DispatchError as error:
        return Err(error.record())
    return Ok(())


def ensure_signed(ctx: Context) -> bytes:
    """Return the signer of a signed origin.

    Raises:
        DispatchError: ``dispatch.bad_origin`` for any other origin.
    """
    if isinstance(ctx.origin, SignedOrigin):
        return ctx.origin.account
    raise DispatchError(DispatchErrorCode.BAD_ORIGIN, "this call must be signed by an account")


def ensure_root(ctx: Context) -> None:
    """Require the root origin.

    Raises:
        DispatchError: ``dispatch.bad_origin`` for any other origin.
    """
    if not isinstance(ctx.origin, RootOrigin):
        raise DispatchError(DispatchErrorCode.BAD_ORIGIN, "this call requires the root origin")


def ensure_governance(ctx: Context, share: tuple[int, int] = HALF) -> None:
    """Require root, or a council motion carried by at least ``share`` of the members.

    Raises:
        DispatchError: ``dispatch.bad_origin`` for anyone else, or a council motion with fewer
            ayes (the message says how many were needed).
    """
    origin = ctx.origin
    if isinstance(origin, RootOrigin):
        return
    numerator, denominator = share
    if isinstance(origin, CouncilOrigin):
        if origin.ayes * denominator >= numerator * origin.members:
            return
        raise DispatchError(
            DispatchErrorCode.BAD_ORIGIN,
            f"the motion had {origin.ayes} of {origin.members} council votes; this call needs "
            f"{numerator}/{denominator} of the council",
        )
    raise DispatchError(
        DispatchErrorCode.BAD_ORIGIN,
        f"this call needs governance: root or {numerator}/{denominator} of the council",
    )


def ensure_none(ctx: Context) -> None:
    """Require an unsigned origin (inherents).

    Raises:
        DispatchError: ``dispatch.bad_origin`` for signed or root origins.
    """
    if not isinstance(ctx.origin, NoneOrigin):
        raise DispatchError(DispatchErrorCode.BAD_ORIGIN, "this call must be an unsigned inherent")


def lookup(address: MultiAddress) -> bytes:
    """Resolve an address to an account id.

    Raises:
        DispatchError: ``dispatch.cannot_lookup`` for indices, raw and 20-byte addresses.
    """
    if isinstance(address, AddressId | Address32):
        return address.account
    raise DispatchError(
        DispatchErrorCode.CANNOT_LOOKUP,
        f"{type(address).__name__} addresses are not supported; use an account id",
    )
