"""Sudo's events."""

from __future__ import annotations

from dataclasses import dataclass

from khala.primitives.scale import Err, ScaleEnum, variant
from khala.primitives.scale import Ok as ScaleOk
from khala.runtime.types import AccountId, DispatchErrorRecord


class Event(ScaleEnum):
    """A Sudo event."""


@variant(0)
@dataclass(frozen=True, slots=True)
class Sudid(Event):
    """A root call made through sudo finished (with its own result)."""

    sudo_result: ScaleOk[tuple[()]] | Err[DispatchErrorRecord]
    """Ok, or why the wrapped call failed."""


@variant(1)
@dataclass(frozen=True, slots=True)
class KeyChanged(Event):
    """The sudo key changed."""

    old: AccountId | None
    """The previous key."""
    new: AccountId
    """The new key."""


@variant(3)
@dataclass(frozen=True, slots=True)
class SudoAsDone(Event):
    """A call made as another account through sudo finished."""

    sudo_result: ScaleOk[tuple[()]] | Err[DispatchErrorRecord]
    """Ok, or why the wrapped call failed."""
