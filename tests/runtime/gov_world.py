"""A governance world: real handlers and block hooks over in-memory state, no fees.

It mirrors FRAME democracy's mock: accounts 1..6 hold 10..60 PHA (total issuance 210 PHA),
launch, voting, fast-track and enactment periods of 2 blocks and a lock period of 3, so
FRAME's test scenarios (and their block numbers) carry over. Blocks run the scheduler's,
democracy's and the treasury's ``on_initialize`` in table order; calls dispatch as the
executive dispatches them, nested calls included (weights from the runtime).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from khala.primitives.scale import codec_of
from khala.primitives.trie import Trie
from khala.runtime.context import (
    BlockEnv,
    Context,
    EventLog,
    Origin,
    RootOrigin,
    SignedOrigin,
    transaction,
)
from khala.runtime.errors import DispatchError
from khala.runtime.modules.balances import currency
from khala.runtime.modules.balances.state import LOCKS
from khala.runtime.modules.democracy.constants import LOCK_ID
from khala.runtime.modules.system.state import account as system_account
from khala.runtime.outer import RuntimeCall
from khala.runtime.presets import DEV, Preset
from khala.runtime.state import State
from khala.runtime.table import RUNTIME
from khala.runtime.types import ApplyExtrinsic, Initialization

PHA = 10**12
GOV = replace(
    DEV,
    democracy_launch_blocks=2,
    democracy_voting_blocks=2,
    democracy_fast_track_blocks=2,
    democracy_enactment_blocks=2,
    democracy_lock_blocks=3,
    treasury_spend_blocks=4,
)
"""FRAME democracy's mock periods; a treasury spend period of 4 blocks."""


GOVERNANCE_MODULES = frozenset({"Scheduler", "Democracy", "Treasury"})
"""Modules whose block hooks the world runs."""


def account(n: int) -> bytes:
    """FRAME's test accounts are small integers; ours are 32 bytes."""
    return bytes([n]) * 32


def _nested(state: State, ctx: Context, call: Any) -> None:
    RUNTIME.call_spec(call, ctx.config).function(state, ctx, call)


def _weigh(call: Any) -> int:
    return RUNTIME.call_spec(call, GOV).weight


class GovWorld:
    """Accounts 1..6 with ``10 * n`` PHA at block 0."""

    def __init__(self, preset: Preset = GOV) -> None:
        """Endow the accounts."""
        self.preset = preset
        self.state = State(Trie())
        for n in range(1, 7):
            currency.mint(self.state, None, account(n), 10 * n * PHA)
        self.number = 0
        self.events: list[Any] = []

    def context(self, origin: Origin, phase: Any = None) -> Context:
        """A context for one dispatch in the current block."""
        return Context(
            origin,
            BlockEnv(self.number, bytes(32), None),
            phase or ApplyExtrinsic(0),
            EventLog(),
            self.preset,
            _nested,
            RUNTIME.routes(),
            RUNTIME.listeners(),
            _weigh,
        )

    def call(self, origin: int | Origin | None, call: Any) -> str | None:
        """Dispatch ``call`` as account ``origin`` (None: root; or any origin); the error code."""
        if origin is None:
            origin = RootOrigin()
        elif isinstance(origin, int):
            origin = SignedOrigin(account(origin))
        ctx = self.context(origin)
        try:
            with transaction(self.state, ctx.events):
                RUNTIME.call_spec(call, self.preset).function(self.state, ctx, call)
        except DispatchError as error:
            return str(error.code.value)
        self.events.extend(event for _, event in ctx.events.records)
        return None

    def ok(self, origin: int | Origin | None, call: Any) -> None:
        """Dispatch and insist it succeeds."""
        error = self.call(origin, call)
        assert error is None, f"{type(call).__name__} failed: {error}"

    def fast_forward_to(self, number: int) -> None:
        """Run the blocks up to ``number``: the governance modules' hooks in table order."""
        while self.number < number:
            self.number += 1
            ctx = self.context(RootOrigin(), Initialization())
            for module in RUNTIME.modules:
                governs = module.name in GOVERNANCE_MODULES
                if governs and module.on_initialize is not None:
                    module.on_initialize(self.state, ctx)
            self.events.extend(event for _, event in ctx.events.records)

    def free(self, who: int | bytes) -> int:
        """An account's free balance."""
        return currency.free_balance(self.state, account(who) if isinstance(who, int) else who)

    def reserved(self, who: int) -> int:
        """An account's reserved balance."""
        return system_account(self.state, account(who)).data.reserved

    def democracy_lock(self, who: int) -> int:
        """The ``democrac`` lock on an account (0 without one)."""
        locks = LOCKS.get(self.state, account(who))
        return next((lock.amount for lock in locks if bytes(lock.id) == LOCK_ID), 0)

    def take_events(self, kind: type) -> list[Any]:
        """Events of ``kind`` so far (and forget them)."""
        found = [event for event in self.events if isinstance(event, kind)]
        self.events = [event for event in self.events if not isinstance(event, kind)]
        return found


def preimage(call: Any) -> bytes:
    """A call's encoding, what ``note_preimage`` stores."""
    return codec_of(RuntimeCall).encode(call)
