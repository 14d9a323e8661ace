"""A runtime composed from its table of modules: everything derived from the declarations.

:class:`Runtime` checks the table once (unique indices and names, error indices in 0..255 and
unique per module, call handlers for every call variant, message topics declared once and
handled by at most one module) and
then answers what the executive, genesis, the metadata and the node need: a call's handler, the
hooks in table order, the topic table and message routes, the name of a module error.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from khala.errors import KhalaError
from khala.primitives.scale.enums import variants_of
from khala.runtime.dispatch_table import CallSpec
from khala.runtime.errors import InvalidTransactionCode, InvalidTransactionError, ModuleErrorCode
from khala.runtime.module import GenesisBuilder, Hook, Listener, MessageHandler, RuntimeModule
from khala.runtime.outer import register_family
from khala.runtime.presets import Preset
from khala.runtime.topic import Topic

MAX_INDEX = 255
"""Module and error indices are one byte on chain."""


class RuntimeTableErrorCode(StrEnum):
    """Codes of :class:`RuntimeTableError`: a table that cannot make a runtime."""

    DUPLICATE_INDEX = "runtime_table.duplicate_index"
    """Two modules share an index, or an index is outside 0..255."""
    DUPLICATE_NAME = "runtime_table.duplicate_name"
    """Two modules share a name (their storage would collide)."""
    BAD_ERROR_INDEX = "runtime_table.bad_error_index"
    """A module's error indices repeat or leave 0..255."""
    MISSING_HANDLER = "runtime_table.missing_handler"
    """A call variant has no handler, or a handler names no call variant of the module."""
    DUPLICATE_ROUTE = "runtime_table.duplicate_route"
    """Two modules handle the same message topic."""
    DUPLICATE_TOPIC = "runtime_table.duplicate_topic"
    """Two modules declare the same message topic."""
    UNDECLARED_TOPIC = "runtime_table.undeclared_topic"
    """A module handles a topic no module declares (its payload type is unknown)."""
    UNDECLARED_ANNOUNCEMENT = "runtime_table.undeclared_announcement"
    """A module listens to an announcement no module makes (a typo would never fire)."""


class RuntimeTableError(KhalaError):
    """The runtime table is inconsistent (a programming error caught at start-up and in tests)."""


@dataclass(frozen=True, slots=True)
class Runtime:
    """The modules of a runtime, in table order (which is also hook order)."""

    modules: tuple[RuntimeModule, ...]
    """The table."""
    _handlers: dict[type, tuple[RuntimeModule, CallSpec]] = field(
        init=False, default_factory=dict, repr=False
    )

    def __post_init__(self) -> None:
        """Check the table, index its handlers and register its call and event families.

        Raises:
            RuntimeTableError: Naming the first inconsistency.
        """
        indices: set[int] = set()
        names: set[str] = set()
        for module in self.modules:
            if module.index in indices or not 0 <= module.index <= MAX_INDEX:
                raise RuntimeTableError(
                    RuntimeTableErrorCode.DUPLICATE_INDEX, f"module index {module.index} is taken"
                )
            if module.name in names:
                raise RuntimeTableError(
                    RuntimeTableErrorCode.DUPLICATE_NAME, f"module name {module.name} is taken"
                )
            indices.add(module.index)
            names.add(module.name)
            _check_errors(module)
            self._index_handlers(module)
        self._check_topics()
        announced = {name for module in self.modules for name in module.announces}
        for module in self.modules:
            for name in module.listeners:
                if name not in announced:
                    raise RuntimeTableError(
                        RuntimeTableErrorCode.UNDECLARED_ANNOUNCEMENT,
                        f"{module.name} listens to {name!r}, which no module announces",
                    )
        for module in self.modules:
            if module.calls is not None:
                register_family("call", module.index, module.name, module.calls)
            if module.events is not None:
                register_family("event", module.index, module.name, module.events)

    def _check_topics(self) -> None:
        declared: set[bytes] = set()
        for module in self.modules:
            for topic in module.topics:
                if topic.name in declared:
                    raise RuntimeTableError(
                        RuntimeTableErrorCode.DUPLICATE_TOPIC,
                        f"topic {topic.label} is declared twice",
                    )
                declared.add(topic.name)
        routed: set[bytes] = set()
        for module in self.modules:
            for name in module.routes:
                if name in routed:
                    raise RuntimeTableError(
                        RuntimeTableErrorCode.DUPLICATE_ROUTE, f"topic {name!r} has two handlers"
                    )
                if name not in declared:
                    raise RuntimeTableError(
                        RuntimeTableErrorCode.UNDECLARED_TOPIC,
                        f"{module.name} handles {name!r}, which no module declares",
                    )
                routed.add(name)

    def _index_handlers(self, module: RuntimeModule) -> None:
        variants = set(variants_of(module.calls).values()) if module.calls is not None else set()
        if set(module.handlers) != variants:
            missing = sorted(cls.__name__ for cls in variants ^ set(module.handlers))
            raise RuntimeTableError(
                RuntimeTableErrorCode.MISSING_HANDLER,
                f"{module.name}: calls and handlers differ on {', '.join(missing)}",
            )
        for call_type, spec in module.handlers.items():
            self._handlers[call_type] = (module, spec)

    def present(self, preset: Preset) -> tuple[RuntimeModule, ...]:
        """The modules a preset's chain has, in table order."""
        return tuple(module for module in self.modules if module.is_present(preset))

    def module(self, index: int) -> RuntimeModule | None:
        """The module with this index, if the table has it."""
        return next((module for module in self.modules if module.index == index), None)

    def call_spec(self, call: Any, preset: Preset) -> CallSpec:
        """Return the handler of a call that exists on this chain.

        Raises:
            InvalidTransactionError: ``invalid_transaction.call`` for calls of modules the
                table or the preset lacks.
        """
        entry = self._handlers.get(type(call))
        if entry is None:
            raise InvalidTransactionError(
                InvalidTransactionCode.CALL, f"no module of this runtime has {type(call).__name__}"
            )
        module, spec = entry
        if not module.is_present(preset):
            raise InvalidTransactionError(
                InvalidTransactionCode.CALL,
                f"the {preset.name} chain has no {module.name} module",
            )
        return spec

    def weight_of(self, call: Any, preset: Preset) -> int:
        """A call's weight with the weight of every call it dispatches (a batch's items).

        Raises:
            InvalidTransactionError: ``invalid_transaction.call`` when it, or a call it
                carries, is not on this chain.
        """
        spec = self.call_spec(call, preset)
        if spec.nested is None:
            return spec.weight
        return spec.weight + sum(self.weight_of(inner, preset) for inner in spec.nested(call))

    def initialize_hooks(self) -> Iterator[tuple[RuntimeModule, Hook]]:
        """Every ``on_initialize`` in table order."""
        return ((m, m.on_initialize) for m in self.modules if m.on_initialize is not None)

    def finalize_hooks(self) -> Iterator[tuple[RuntimeModule, Hook]]:
        """Every ``on_finalize`` in table order."""
        return ((m, m.on_finalize) for m in self.modules if m.on_finalize is not None)

    def genesis_builders(self, preset: Preset) -> Iterator[tuple[RuntimeModule, GenesisBuilder]]:
        """Every present module's genesis builder in table order."""
        return ((m, m.build_genesis) for m in self.present(preset) if m.build_genesis is not None)

    @property
    def topics(self) -> Mapping[bytes, Topic[Any]]:
        """The one topic table: name -> declaration (payload type, allowed senders)."""
        return {topic.name: topic for m in self.modules for topic in m.topics}

    def routes(self) -> Mapping[bytes, MessageHandler]:
        """The one routing table: message topic -> on-chain handler."""
        return {topic: handler for m in self.modules for topic, handler in m.routes.items()}

    def listeners(self) -> Mapping[str, tuple[Listener, ...]]:
        """Announcement name -> listeners, in table order."""
        found: dict[str, list[Listener]] = {}
        for module in self.modules:
            for name, listener in module.listeners.items():
                found.setdefault(name, []).append(listener)
        return {name: tuple(items) for name, items in found.items()}

    def error_code(self, module_index: int, error_index: int) -> str:
        """The documented code of a module error (``balances.insufficient_balance``).

        Unknown pairs (another runtime's errors) are named ``module_<m>.error_<e>``.
        """
        module = self.module(module_index)
        if module is not None and module.errors is not None:
            for member in module.errors:
                if member.error_index == error_index:
                    return member.value
        return f"module_{module_index}.error_{error_index}"

    def error_enums(self) -> dict[int, type[ModuleErrorCode]]:
        """Each module's error codes by module index."""
        return {m.index: m.errors for m in self.modules if m.errors is not None}


def _check_errors(module: RuntimeModule) -> None:
    if module.errors is None:
        return
    seen = [member.error_index for member in module.errors]
    if len(set(seen)) != len(seen) or any(not 0 <= index <= MAX_INDEX for index in seen):
        raise RuntimeTableError(
            RuntimeTableErrorCode.BAD_ERROR_INDEX,
            f"{module.name}: error indices must be unique and in 0..{MAX_INDEX}",
        )
