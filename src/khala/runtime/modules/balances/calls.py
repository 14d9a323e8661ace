"""Balances' calls, with FRAME's call indices."""

from __future__ import annotations

from dataclasses import dataclass

from khala.primitives.scale import Compact, ScaleEnum, variant
from khala.runtime.context import Context, ensure_root, ensure_signed, lookup
from khala.runtime.dispatch_table import CallSpec
from khala.runtime.modules.balances import currency
from khala.runtime.modules.balances.constants import FORCE_WEIGHT, TRANSFER_WEIGHT
from khala.runtime.state import State
from khala.runtime.types import DispatchClass, MultiAddress


class Call(ScaleEnum):
    """A Balances call."""


@variant(0)
@dataclass(frozen=True, slots=True)
class TransferAllowDeath(Call):
    """Transfer, reaping the sender if it falls below the existential deposit."""

    dest: MultiAddress
    """Receiver."""
    value: Compact
    """Amount in units."""


@variant(2)
@dataclass(frozen=True, slots=True)
class ForceTransfer(Call):
    """Root: transfer from any account."""

    source: MultiAddress
    """Sender."""
    dest: MultiAddress
    """Receiver."""
    value: Compact
    """Amount in units."""


@variant(3)
@dataclass(frozen=True, slots=True)
class TransferKeepAlive(Call):
    """Transfer, failing if the sender would fall below the existential deposit."""

    dest: MultiAddress
    """Receiver."""
    value: Compact
    """Amount in units."""


@variant(8)
@dataclass(frozen=True, slots=True)
class ForceSetBalance(Call):
    """Root: set an account's free balance, minting or burning the difference."""

    who: MultiAddress
    """The account."""
    new_free: Compact
    """Its new free balance."""


def transfer_allow_death(state: State, ctx: Context, args: TransferAllowDeath) -> None:
    """Signed transfer that may reap the sender."""
    source = ensure_signed(ctx)
    currency.transfer(state, ctx, source, lookup(args.dest), args.value, keep_alive=False)


def transfer_keep_alive(state: State, ctx: Context, args: TransferKeepAlive) -> None:
    """Signed transfer that keeps the sender alive."""
    source = ensure_signed(ctx)
    currency.transfer(state, ctx, source, lookup(args.dest), args.value, keep_alive=True)


def force_transfer(state: State, ctx: Context, args: ForceTransfer) -> None:
    """Root transfer between any two accounts."""
    ensure_root(ctx)
    source, dest = lookup(args.source), lookup(args.dest)
    currency.transfer(state, ctx, source, dest, args.value, keep_alive=False)


def force_set_balance(state: State, ctx: Context, args: ForceSetBalance) -> None:
    """Root: set a free balance."""
    ensure_root(ctx)
    currency.set_free(state, ctx, lookup(args.who), args.new_free)


CALLS: dict[type, CallSpec] = {
    TransferAllowDeath: CallSpec(transfer_allow_death, TRANSFER_WEIGHT),
    ForceTransfer: CallSpec(force_transfer, FORCE_WEIGHT, DispatchClass.OPERATIONAL),
    TransferKeepAlive: CallSpec(transfer_keep_alive, TRANSFER_WEIGHT),
    ForceSetBalance: CallSpec(force_set_balance, FORCE_WEIGHT, DispatchClass.OPERATIONAL),
}
"""Handlers of Balances' calls."""
