"""How a runtime module declares itself: the one record the runtime table is made of.

Each module package's ``declaration.py`` holds ``MODULE = RuntimeModule(...)`` naming its
index, name, call and event families, error codes, hooks, genesis builder, storage items,
constants, message topics and routes. The table (:mod:`khala.runtime.table`) lists the records;
dispatch, event encoding, hook order, genesis, error names, the runtime version and the
Substrate metadata are all derived from them, so adding a module is its package plus one line.

Composing a runtime from the table registers each module's call and event families under its
index, which is what lets ``RuntimeCall`` and ``RuntimeEvent`` (:mod:`khala.runtime.outer`)
encode a module's call or event as FRAME does: module index, then the module's own variant.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from khala.runtime.dispatch_table import CallSpec
from khala.runtime.errors import ModuleErrorCode
from khala.runtime.presets import Preset
from khala.runtime.state import State
from khala.runtime.storage import StorageItem
from khala.runtime.topic import Topic

Hook = Callable[[State, Any], Any]
"""A block hook: ``hook(state, ctx)`` with a root-origin :class:`Context`; its result is ignored."""
GenesisBuilder = Callable[[State, Any], None]
"""Writes a module's part of genesis: ``build(state, genesis_config)``."""
MessageHandler = Callable[[State, Any, Any], None]
"""An on-chain message handler: ``handler(state, ctx, message)``; validates, writes, emits."""
Listener = Callable[..., None]
"""Runs on another module's announcement: ``listener(state, ctx, *args)``."""
Migration = Callable[[State, Any, int], None]
"""A module's ``on_runtime_upgrade(state, ctx, on_chain_version)``: brings its storage from
the version the chain holds to the module's :attr:`RuntimeModule.storage_version`."""


def always_present(preset: Preset) -> bool:
    """Every preset has the module (the default)."""
    del preset
    return True


@dataclass(frozen=True, slots=True)
class Constant:
    """A module constant exposed in the metadata (``api.consts.<module>.<name>``)."""

    name: str
    """PascalCase name, as FRAME spells it (``ExistentialDeposit``)."""
    value_type: Any
    """Its SCALE annotation (``Balance``, ``U32``...)."""
    value: Any
    """The value, encoded with ``value_type`` into the metadata; a function of the
    :class:`Preset` when it differs between presets (``MinimumPeriod``)."""
    docs: str
    """What it means, for the metadata's docs."""

    def value_for(self, preset: Preset) -> Any:
        """The constant's value on a chain with ``preset``."""
        return self.value(preset) if callable(self.value) else self.value


@dataclass(frozen=True, slots=True)
class RuntimeModule:
    """One module of the runtime, as the table lists it (FRAME's pallet declaration)."""

    index: int
    """Module index (0..255): the first byte of its calls, events and errors on chain."""
    name: str
    """PascalCase name: storage prefix, metadata pallet name (``Balances``)."""
    docs: str
    """What the module is for (its package docstring), for the metadata."""
    calls: type | None = None
    """The module's ``Call`` family (a ``ScaleEnum``), if it has calls."""
    handlers: Mapping[type, CallSpec] = field(default_factory=dict)
    """Handler and costs of each call variant."""
    events: type | None = None
    """The module's ``Event`` family, if it emits events."""
    errors: type[ModuleErrorCode] | None = None
    """The module's dispatch error codes, each with its declared on-chain index."""
    on_initialize: Hook | None = None
    """Runs at the start of every block, in table order."""
    on_finalize: Hook | None = None
    """Runs at the end of every block, in table order."""
    build_genesis: GenesisBuilder | None = None
    """Writes the module's genesis state from the genesis config."""
    state: types.ModuleType | None = None
    """The module's ``state.py``: its storage items (and their docstrings) come from there."""
    constants: tuple[Constant, ...] = ()
    """Constants clients read from the metadata."""
    topics: tuple[Topic[Any], ...] = ()
    """Message topics this module sends or handles (:mod:`khala.runtime.topic`)."""
    routes: Mapping[bytes, MessageHandler] = field(default_factory=dict)
    """Message topics this module handles on chain (each one declared in some ``topics``)."""
    announces: tuple[str, ...] = ()
    """Names of what this module announces (``computation.rewarded``): others may listen."""
    listeners: Mapping[str, Listener] = field(default_factory=dict)
    """Announcement name -> what this module does on it (``listener(state, ctx, *args)``)."""
    is_present: Callable[[Preset], bool] = always_present
    """Whether a preset's chain has this module (sudo exists on dev chains only)."""
    storage_version: int = 0
    """The layout version of the module's storage (FRAME's ``StorageVersion``), stored on chain
    at genesis and after each runtime upgrade; a migration raises it."""
    on_runtime_upgrade: Migration | None = None
    """Runs once when a runtime upgrade brings a module whose on-chain storage version is below
    :attr:`storage_version` (0 when the module is new to the chain)."""

    @property
    def storage(self) -> tuple[StorageItem[Any], ...]:
        """The module's storage items, in declaration order."""
        return () if self.state is None else storage_items(self.state)


def storage_items(state_module: types.ModuleType) -> tuple[StorageItem[Any], ...]:
    """Return every storage item a module's ``state.py`` declares, in definition order."""
    return tuple(value for value in vars(state_module).values() if isinstance(value, StorageItem))
