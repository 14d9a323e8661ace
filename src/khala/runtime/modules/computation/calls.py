"""Computation's calls: session calls for owners, switches and parameters for governance."""

from __future__ import annotations

from dataclasses import dataclass

from khala.primitives.fixed_point import ONE
from khala.primitives.scale import H256, Compact, ScaleEnum, variant
from khala.runtime.context import Context, ensure_governance
from khala.runtime.dispatch_table import CallSpec
from khala.runtime.modules.computation import events as ev
from khala.runtime.modules.computation import sessions
from khala.runtime.modules.computation import state as st
from khala.runtime.modules.computation.constants import GOVERNANCE_WEIGHT, SESSION_WEIGHT
from khala.runtime.modules.computation.errors import ComputationErrorCode, computation_error
from khala.runtime.modules.computation.tokenomics import TokenomicParameters
from khala.runtime.state import State
from khala.runtime.types import DispatchClass, Pays


class Call(ScaleEnum):
    """A computation call."""


@variant(0)
@dataclass(frozen=True, slots=True)
class Bind(Call):
    """Bind a worker you operate to your session account."""

    worker: H256
    """The worker's identity key."""


@variant(1)
@dataclass(frozen=True, slots=True)
class Unbind(Call):
    """Unbind a worker whose session is Ready."""

    worker: H256
    """The worker."""


@variant(2)
@dataclass(frozen=True, slots=True)
class StartComputing(Call):
    """Start computing with ``stake`` units reserved from your balance."""

    worker: H256
    """The worker."""
    stake: Compact
    """The stake, in units."""


@variant(3)
@dataclass(frozen=True, slots=True)
class StopComputing(Call):
    """Stop computing; the stake stays reserved for the cool-down."""

    worker: H256
    """The worker."""


@variant(4)
@dataclass(frozen=True, slots=True)
class Reclaim(Call):
    """Return a cooled-down session's stake to its owner (anyone may call)."""

    worker: H256
    """The worker."""


@variant(5)
@dataclass(frozen=True, slots=True)
class SetMiningEnabled(Call):
    """Governance (root or ½ council): switch mining on (the fair launch) or off."""

    enabled: bool
    """The new value."""


@variant(6)
@dataclass(frozen=True, slots=True)
class SetHeartbeatPaused(Call):
    """Governance (root or ½ council): pause or resume heartbeat challenges."""

    paused: bool
    """The new value."""


@variant(7)
@dataclass(frozen=True, slots=True)
class UpdateTokenomicParameters(Call):
    """Governance (root or ½ council): new tokenomic parameters, from the end of this block."""

    params: TokenomicParameters
    """The parameters."""


def _bind(state: State, ctx: Context, args: Bind) -> None:
    sessions.bind(state, ctx, args.worker)


def _unbind(state: State, ctx: Context, args: Unbind) -> None:
    sessions.unbind(state, ctx, args.worker)


def _start(state: State, ctx: Context, args: StartComputing) -> None:
    sessions.start_computing(state, ctx, args.worker, args.stake)


def _stop(state: State, ctx: Context, args: StopComputing) -> None:
    sessions.stop_computing(state, ctx, args.worker)


def _reclaim(state: State, ctx: Context, args: Reclaim) -> None:
    sessions.reclaim(state, ctx, args.worker)


def set_mining_enabled(state: State, ctx: Context, args: SetMiningEnabled) -> None:
    """Switch mining on or off."""
    ensure_governance(ctx)
    st.MINING_ENABLED.put(state, args.enabled)
    ctx.emit(ev.MiningEnabledSet(args.enabled))


def set_heartbeat_paused(state: State, ctx: Context, args: SetHeartbeatPaused) -> None:
    """Pause or resume challenges."""
    ensure_governance(ctx)
    st.HEARTBEAT_PAUSED.put(state, args.paused)
    ctx.emit(ev.HeartbeatPausedSet(args.paused))


def check_parameters(params: TokenomicParameters) -> str | None:
    """Why a parameter set is unusable, or None: ρ ≥ 1, ratios ≤ 1, a window and a target."""
    if params.rho < ONE:
        return "rho must be at least 1"
    if params.slash_rate > ONE or params.treasury_ratio > ONE:
        return "slash_rate and treasury_ratio must be at most 1"
    if params.heartbeat_window == 0 or params.expected_heartbeats == 0:
        return "heartbeat_window and expected_heartbeats must be positive"
    return None


def update_tokenomic_parameters(
    state: State, ctx: Context, args: UpdateTokenomicParameters
) -> None:
    """Schedule new parameters for the end of this block."""
    ensure_governance(ctx)
    problem = check_parameters(args.params)
    if problem is not None:
        raise computation_error(ComputationErrorCode.INVALID_PARAMETERS, problem)
    st.SCHEDULED_TOKENOMIC_UPDATE.put(state, args.params)


CALLS: dict[type, CallSpec] = {
    Bind: CallSpec(_bind, SESSION_WEIGHT),
    Unbind: CallSpec(_unbind, SESSION_WEIGHT),
    StartComputing: CallSpec(_start, SESSION_WEIGHT),
    StopComputing: CallSpec(_stop, SESSION_WEIGHT),
    Reclaim: CallSpec(_reclaim, SESSION_WEIGHT),
    SetMiningEnabled: CallSpec(
        set_mining_enabled, GOVERNANCE_WEIGHT, DispatchClass.NORMAL, Pays.NO
    ),
    SetHeartbeatPaused: CallSpec(
        set_heartbeat_paused, GOVERNANCE_WEIGHT, DispatchClass.NORMAL, Pays.NO
    ),
    UpdateTokenomicParameters: CallSpec(
        update_tokenomic_parameters, GOVERNANCE_WEIGHT, DispatchClass.NORMAL, Pays.NO
    ),
}
"""Handlers of computation's calls."""
