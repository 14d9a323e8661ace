"""The storage overlay a block executes against, with nested transactions.

Reads fall through the overlay to the parent block's trie; writes stay in the overlay until the
block is finished, when :meth:`State.changes` lists them (the node applies them to the trie and
stores them for worker sync). :meth:`State.begin` / :meth:`State.commit` /
:meth:`State.rollback` nest: every open layer journals the previous overlay entry of each key it
touches, so a rollback restores exactly what the layer changed and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from typing import Protocol

from khala.errors import KhalaError


class StateErrorCode(StrEnum):
    """Codes of :class:`StateError`."""

    NO_TRANSACTION = "state.no_transaction"
    """commit or rollback without an open transaction."""
    OPEN_TRANSACTION = "state.open_transaction"
    """The block's changes were requested while a transaction was still open."""


class StateError(KhalaError):
    """The overlay was used out of order (a programming error in the caller)."""


class StateBackend(Protocol):
    """The committed state below the overlay: the parent block's trie."""

    def get(self, key: bytes) -> bytes | None:
        """Return the committed value of ``key``."""
        ...

    def items(self, prefix: bytes = b"") -> Iterator[tuple[bytes, bytes]]:
        """Yield committed pairs under ``prefix`` in key order."""
        ...


_ABSENT = object()
"""Journal marker: the key had no overlay entry before the layer touched it."""


class State:
    """A block's view of storage: parent state plus this block's uncommitted changes."""

    def __init__(self, backend: StateBackend) -> None:
        """Open an empty overlay over ``backend``."""
        self._backend = backend
        self._overlay: dict[bytes, bytes | None] = {}
        self._journals: list[dict[bytes, object]] = []

    def get(self, key: bytes) -> bytes | None:
        """Return the current value of ``key`` (None when absent or deleted)."""
        overlay = self._overlay
        if key in overlay:
            return overlay[key]
        return self._backend.get(key)

    def set(self, key: bytes, value: bytes) -> None:
        """Write ``value`` under ``key``."""
        if self._journals:
            self._record(key)
        self._overlay[key] = value

    def delete(self, key: bytes) -> None:
        """Remove ``key``."""
        if self._journals:
            self._record(key)
        self._overlay[key] = None

    def _record(self, key: bytes) -> None:
        journal = self._journals[-1]
        if key not in journal:
            journal[key] = self._overlay.get(key, _ABSENT)

    def items(self, prefix: bytes = b"") -> Iterator[tuple[bytes, bytes]]:
        """Yield current pairs under ``prefix`` in key order, overlay merged over the backend."""
        pending = sorted(key for key in self._overlay if key.startswith(prefix))
        position = 0
        for key, value in self._backend.items(prefix):
            while position < len(pending) and pending[position] < key:
                overlay_value = self._overlay[pending[position]]
                if overlay_value is not None:
                    yield pending[position], overlay_value
                position += 1
            if position < len(pending) and pending[position] == key:
                overlay_value = self._overlay[key]
                position += 1
                if overlay_value is not None:
                    yield key, overlay_value
                continue
            yield key, value
        for key in pending[position:]:
            overlay_value = self._overlay[key]
            if overlay_value is not None:
                yield key, overlay_value

    @property
    def depth(self) -> int:
        """How many transactions are open."""
        return len(self._journals)

    def begin(self) -> None:
        """Open a nested transaction."""
        self._journals.append({})

    def commit(self) -> None:
        """Keep the innermost transaction's writes, folding its journal into the parent's."""
        if not self._journals:
            raise StateError(StateErrorCode.NO_TRANSACTION, "commit without an open transaction")
        journal = self._journals.pop()
        if self._journals:
            parent = self._journals[-1]
            for key, previous in journal.items():
                parent.setdefault(key, previous)

    def rollback(self) -> None:
        """Undo every write of the innermost transaction."""
        if not self._journals:
            raise StateError(StateErrorCode.NO_TRANSACTION, "rollback without an open transaction")
        journal = self._journals.pop()
        overlay = self._overlay
        for key, previous in journal.items():
            if previous is _ABSENT:
                del overlay[key]
            else:
                overlay[key] = previous  # type: ignore[assignment]

    def changes(self) -> dict[bytes, bytes | None]:
        """Return this block's writes (None marks a deletion).

        Raises:
            StateError: ``state.open_transaction`` while a transaction is open.
        """
        if self._journals:
            raise StateError(
                StateErrorCode.OPEN_TRANSACTION, "block changes requested inside a transaction"
            )
        return dict(self._overlay)
