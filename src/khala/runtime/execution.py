"""What applying a block carries from one extrinsic to the next.

The release executing it (with its routes and listeners, derived once), the overlay, the
events and the running totals.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from khala.runtime.composition import Runtime
from khala.runtime.context import BlockEnv, EventLog
from khala.runtime.errors import DispatchError
from khala.runtime.releases import Release
from khala.runtime.state import State


@dataclass(frozen=True, slots=True)
class Bound:
    """A release with what dispatching under it needs, derived once."""

    release: Release
    """The release."""
    routes: Mapping[bytes, Any]
    """Its message routes."""
    listeners: Mapping[str, tuple[Any, ...]]
    """Its announcement listeners."""

    @property
    def runtime(self) -> Runtime:
        """The release's module table."""
        return self.release.runtime


@dataclass(slots=True)
class BlockExecution:
    """A block being built or imported."""

    bound: Bound
    """The release executing it."""
    state: State
    """The block's storage overlay."""
    env: BlockEnv
    """Number, parent and author."""
    events: EventLog
    """Events so far."""
    extrinsics: list[bytes]
    """Extrinsics applied so far (full encodings)."""
    length: int = 0
    """Encoded length of the applied extrinsics."""
    weight: int = 0
    """Weight of the applied extrinsics."""
    has_signed: bool = False
    """Whether a signed extrinsic was applied (inherents must come first)."""


@dataclass(frozen=True, slots=True)
class ApplyOutcome:
    """What happened to an applied extrinsic."""

    error: DispatchError | None
    """None when the call succeeded; the call's error otherwise (fee and nonce were charged)."""
