"""The runtime's event enum and ``EventRecord``, FRAME's layout of ``System.Events``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from khala.primitives.scale import H256, ScaleEnum, variant
from khala.runtime.modules.balances import events as balances_events
from khala.runtime.modules.balances.constants import MODULE_INDEX as BALANCES_INDEX
from khala.runtime.modules.computation import events as computation_events
from khala.runtime.modules.computation.constants import MODULE_INDEX as COMPUTATION_INDEX
from khala.runtime.modules.mq import events as mq_events
from khala.runtime.modules.mq.constants import MODULE_INDEX as MQ_INDEX
from khala.runtime.modules.payment import events as payment_events
from khala.runtime.modules.payment.constants import MODULE_INDEX as PAYMENT_INDEX
from khala.runtime.modules.registry import events as registry_events
from khala.runtime.modules.registry.constants import MODULE_INDEX as REGISTRY_INDEX
from khala.runtime.modules.scheduler import events as scheduler_events
from khala.runtime.modules.scheduler.constants import MODULE_INDEX as SCHEDULER_INDEX
from khala.runtime.modules.sudo import events as sudo_events
from khala.runtime.modules.sudo.constants import MODULE_INDEX as SUDO_INDEX
from khala.runtime.modules.system import events as system_events
from khala.runtime.modules.system.constants import MODULE_INDEX as SYSTEM_INDEX
from khala.runtime.types import Phase


class RuntimeEvent(ScaleEnum):
    """Any module's event, prefixed by the module index."""


@variant(SYSTEM_INDEX)
@dataclass(frozen=True, slots=True)
class SystemEvent(RuntimeEvent):
    """A System event."""

    event: system_events.Event
    """The module's event."""


@variant(SCHEDULER_INDEX)
@dataclass(frozen=True, slots=True)
class SchedulerEvent(RuntimeEvent):
    """A scheduler event."""

    event: scheduler_events.Event
    """The module's event."""


@variant(BALANCES_INDEX)
@dataclass(frozen=True, slots=True)
class BalancesEvent(RuntimeEvent):
    """A Balances event."""

    event: balances_events.Event
    """The module's event."""


@variant(PAYMENT_INDEX)
@dataclass(frozen=True, slots=True)
class PaymentEvent(RuntimeEvent):
    """A TransactionPayment event."""

    event: payment_events.Event
    """The module's event."""


@variant(MQ_INDEX)
@dataclass(frozen=True, slots=True)
class MqEvent(RuntimeEvent):
    """A message queue event."""

    event: mq_events.Event
    """The module's event."""


@variant(REGISTRY_INDEX)
@dataclass(frozen=True, slots=True)
class RegistryEvent(RuntimeEvent):
    """A registry event."""

    event: registry_events.Event
    """The module's event."""


@variant(COMPUTATION_INDEX)
@dataclass(frozen=True, slots=True)
class ComputationEvent(RuntimeEvent):
    """A computation event."""

    event: computation_events.Event
    """The module's event."""


@variant(SUDO_INDEX)
@dataclass(frozen=True, slots=True)
class SudoEvent(RuntimeEvent):
    """A Sudo event."""

    event: sudo_events.Event
    """The module's event."""


_WRAPPERS: dict[type, type] = {
    system_events.Event: SystemEvent,
    scheduler_events.Event: SchedulerEvent,
    balances_events.Event: BalancesEvent,
    payment_events.Event: PaymentEvent,
    mq_events.Event: MqEvent,
    registry_events.Event: RegistryEvent,
    computation_events.Event: ComputationEvent,
    sudo_events.Event: SudoEvent,
}


@dataclass(frozen=True, slots=True)
class EventRecord:
    """One entry of ``System.Events``."""

    phase: Phase
    """When it happened."""
    event: RuntimeEvent
    """What happened."""
    topics: list[H256]
    """Indexed topics (unused, always empty)."""


def wrap(phase: Phase, event: Any) -> EventRecord:
    """Wrap a module event into an ``EventRecord`` with its module's variant."""
    for family, wrapper in _WRAPPERS.items():
        if isinstance(event, family):
            return EventRecord(phase, wrapper(event), [])
    raise TypeError(f"{type(event).__name__} is not a module event")  # a programming error
