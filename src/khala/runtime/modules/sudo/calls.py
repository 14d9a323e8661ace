"""Sudo's calls: dispatch a call as root or as another account, change the key."""

from __future__ import annotations

from dataclasses import dataclass

from khala.primitives.scale import ScaleEnum, variant
from khala.runtime.context import (
    Context,
    RootOrigin,
    SignedOrigin,
    ensure_signed,
    lookup,
    run_nested,
)
from khala.runtime.dispatch_table import CallSpec
from khala.runtime.modules.sudo.constants import SUDO_WEIGHT
from khala.runtime.modules.sudo.errors import SudoErrorCode, sudo_error
from khala.runtime.modules.sudo.events import KeyChanged, Sudid, SudoAsDone
from khala.runtime.modules.sudo.state import KEY
from khala.runtime.outer import RuntimeCall
from khala.runtime.state import State
from khala.runtime.types import DispatchClass, MultiAddress, Pays

NestedCall = RuntimeCall
"""A whole ``RuntimeCall`` carried inside a Sudo call."""


class Call(ScaleEnum):
    """A Sudo call."""


@variant(0)
@dataclass(frozen=True, slots=True)
class Sudo(Call):
    """Dispatch ``call`` with the root origin."""

    call: NestedCall
    """The wrapped call."""


@variant(2)
@dataclass(frozen=True, slots=True)
class SetKey(Call):
    """Hand the sudo key to another account."""

    new: MultiAddress
    """The new key holder."""


@variant(3)
@dataclass(frozen=True, slots=True)
class SudoAs(Call):
    """Dispatch ``call`` signed as ``who``."""

    who: MultiAddress
    """The account to act as."""
    call: NestedCall
    """The wrapped call."""


def _ensure_sudo(state: State, ctx: Context) -> bytes:
    sender = ensure_signed(ctx)
    key = KEY.get(state)
    if key is None or sender != key:
        raise sudo_error(SudoErrorCode.REQUIRE_SUDO, "only the sudo key may make this call")
    return sender


def sudo(state: State, ctx: Context, args: Sudo) -> None:
    """Run a call as root; the sudo extrinsic succeeds whatever the inner result."""
    _ensure_sudo(state, ctx)
    ctx.emit(Sudid(run_nested(state, ctx.with_origin(RootOrigin()), args.call)))


def sudo_as(state: State, ctx: Context, args: SudoAs) -> None:
    """Run a call signed as another account."""
    _ensure_sudo(state, ctx)
    who = lookup(args.who)
    ctx.emit(SudoAsDone(run_nested(state, ctx.with_origin(SignedOrigin(who)), args.call)))


def set_key(state: State, ctx: Context, args: SetKey) -> None:
    """Give the key to another account."""
    old = _ensure_sudo(state, ctx)
    new = lookup(args.new)
    KEY.put(state, new)
    ctx.emit(KeyChanged(old, new))


CALLS: dict[type, CallSpec] = {
    Sudo: CallSpec(sudo, SUDO_WEIGHT, DispatchClass.NORMAL, Pays.NO),
    SetKey: CallSpec(set_key, SUDO_WEIGHT, DispatchClass.NORMAL, Pays.NO),
    SudoAs: CallSpec(sudo_as, SUDO_WEIGHT, DispatchClass.NORMAL, Pays.NO),
}
"""Handlers of Sudo's calls."""
