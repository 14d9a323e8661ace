"""The runtime's call enum and the one table that routes each call to its handler.

``RuntimeCall`` is encoded as FRAME encodes it: the module index, the call index, the
arguments. Modules a preset does not have (sudo outside dev) are refused as unknown calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from khala.primitives.scale import ScaleEnum, variant
from khala.runtime.context import Context
from khala.runtime.dispatch_table import CallSpec
from khala.runtime.errors import InvalidTransactionCode, InvalidTransactionError
from khala.runtime.modules.balances import calls as balances_calls
from khala.runtime.modules.balances.constants import MODULE_INDEX as BALANCES_INDEX
from khala.runtime.modules.balances.errors import BalancesError
from khala.runtime.modules.computation import calls as computation_calls
from khala.runtime.modules.computation import messages as computation_messages
from khala.runtime.modules.computation.constants import HEARTBEAT_TOPIC, SETTLE_TOPIC
from khala.runtime.modules.computation.constants import MODULE_INDEX as COMPUTATION_INDEX
from khala.runtime.modules.computation.errors import ComputationError
from khala.runtime.modules.mq import calls as mq_calls
from khala.runtime.modules.mq.constants import MODULE_INDEX as MQ_INDEX
from khala.runtime.modules.mq.errors import MqError
from khala.runtime.modules.mq.routing import ROUTES
from khala.runtime.modules.registry import calls as registry_calls
from khala.runtime.modules.registry import messages as registry_messages
from khala.runtime.modules.registry.constants import BENCH_REPORT_TOPIC, MASTER_PUBKEY_TOPIC
from khala.runtime.modules.registry.constants import MODULE_INDEX as REGISTRY_INDEX
from khala.runtime.modules.registry.errors import RegistryError
from khala.runtime.modules.scheduler import calls as scheduler_calls
from khala.runtime.modules.scheduler.constants import MODULE_INDEX as SCHEDULER_INDEX
from khala.runtime.modules.scheduler.errors import SchedulerError
from khala.runtime.modules.sudo import calls as sudo_calls
from khala.runtime.modules.sudo.constants import MODULE_INDEX as SUDO_INDEX
from khala.runtime.modules.sudo.errors import SudoError
from khala.runtime.modules.system import calls as system_calls
from khala.runtime.modules.system.constants import MODULE_INDEX as SYSTEM_INDEX
from khala.runtime.modules.system.errors import SystemError
from khala.runtime.modules.timestamp import calls as timestamp_calls
from khala.runtime.modules.timestamp.constants import MODULE_INDEX as TIMESTAMP_INDEX
from khala.runtime.modules.timestamp.errors import TimestampError
from khala.runtime.presets import Preset
from khala.runtime.state import State


class RuntimeCall(ScaleEnum):
    """Any call of any module."""


@variant(SYSTEM_INDEX)
@dataclass(frozen=True, slots=True)
class SystemCall(RuntimeCall):
    """A System call."""

    call: system_calls.Call
    """The module's call."""


@variant(TIMESTAMP_INDEX)
@dataclass(frozen=True, slots=True)
class TimestampCall(RuntimeCall):
    """A Timestamp call."""

    call: timestamp_calls.Call
    """The module's call."""


@variant(SCHEDULER_INDEX)
@dataclass(frozen=True, slots=True)
class SchedulerCall(RuntimeCall):
    """A scheduler call."""

    call: scheduler_calls.Call
    """The module's call."""


@variant(BALANCES_INDEX)
@dataclass(frozen=True, slots=True)
class BalancesCall(RuntimeCall):
    """A Balances call."""

    call: balances_calls.Call
    """The module's call."""


@variant(MQ_INDEX)
@dataclass(frozen=True, slots=True)
class MqCall(RuntimeCall):
    """A message queue call."""

    call: mq_calls.Call
    """The module's call."""


@variant(REGISTRY_INDEX)
@dataclass(frozen=True, slots=True)
class RegistryCall(RuntimeCall):
    """A registry call."""

    call: registry_calls.Call
    """The module's call."""


@variant(COMPUTATION_INDEX)
@dataclass(frozen=True, slots=True)
class ComputationCall(RuntimeCall):
    """A computation call."""

    call: computation_calls.Call
    """The module's call."""


@variant(SUDO_INDEX)
@dataclass(frozen=True, slots=True)
class SudoCall(RuntimeCall):
    """A Sudo call (dev chains only)."""

    call: sudo_calls.Call
    """The module's call."""


ROUTES.update(
    {
        BENCH_REPORT_TOPIC: registry_messages.on_bench_report,
        MASTER_PUBKEY_TOPIC: registry_messages.on_master_pubkey,
        HEARTBEAT_TOPIC: computation_messages.on_heartbeat,
        SETTLE_TOPIC: computation_messages.on_settlement,
    }
)
"""The runtime's message routes, composed here so modules need not import each other."""

HANDLERS: dict[type, CallSpec] = {
    **system_calls.CALLS,
    **timestamp_calls.CALLS,
    **scheduler_calls.CALLS,
    **balances_calls.CALLS,
    **mq_calls.CALLS,
    **registry_calls.CALLS,
    **computation_calls.CALLS,
    **sudo_calls.CALLS,
}
"""Every call variant's handler: the routing table."""


MODULE_ERRORS: dict[int, type[StrEnum]] = {
    SYSTEM_INDEX: SystemError,
    TIMESTAMP_INDEX: TimestampError,
    SCHEDULER_INDEX: SchedulerError,
    BALANCES_INDEX: BalancesError,
    MQ_INDEX: MqError,
    REGISTRY_INDEX: RegistryError,
    COMPUTATION_INDEX: ComputationError,
    SUDO_INDEX: SudoError,
}
"""Each module's error codes by module index, to name a ``ModuleError`` (index, error)."""


def module_error_code(module_index: int, error_index: int) -> str:
    """Return the documented code of a module error, e.g. ``balances.insufficient_balance``."""
    codes = MODULE_ERRORS.get(module_index)
    if codes is None or error_index >= len(codes):
        return f"module_{module_index}.error_{error_index}"
    return list(codes)[error_index].value


def call_spec(call: RuntimeCall, preset: Preset) -> CallSpec:
    """Return the handler of a call that exists on this chain.

    Raises:
        InvalidTransactionError: ``invalid_transaction.call`` for modules the preset lacks.
    """
    if isinstance(call, SudoCall) and not preset.has_sudo:
        raise InvalidTransactionError(
            InvalidTransactionCode.CALL, f"the {preset.name} chain has no sudo module"
        )
    inner: Any = call.call  # type: ignore[attr-defined]
    spec = HANDLERS.get(type(inner))
    if spec is None:
        raise InvalidTransactionError(
            InvalidTransactionCode.CALL, f"no handler for {type(inner).__name__}"
        )
    return spec


def dispatch(state: State, ctx: Context, call: RuntimeCall) -> None:
    """Run a call's handler (no transaction of its own; callers wrap it).

    Raises:
        DispatchError: Whatever the handler raises.
        InvalidTransactionError: For calls this chain does not have.
    """
    spec = call_spec(call, ctx.config)
    spec.function(state, ctx, call.call)  # type: ignore[attr-defined]
