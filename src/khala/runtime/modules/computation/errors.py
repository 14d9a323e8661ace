"""Computation's dispatch errors (the order is the on-chain error index)."""

from __future__ import annotations

from enum import StrEnum

from khala.runtime.errors import DispatchError
from khala.runtime.modules.computation.constants import MODULE_INDEX


class ComputationError(StrEnum):
    """Computation error codes."""

    MINING_NOT_ENABLED = "computation.mining_not_enabled"
    """Mining has not started yet: governance enables it at the scheduled block."""
    WORKER_NOT_REGISTERED = "computation.worker_not_registered"
    """No worker is registered with this public key."""
    NOT_OPERATOR = "computation.not_operator"
    """Only the worker's registered operator may bind it and use its session."""
    DUPLICATE_BOUND_WORKER = "computation.duplicate_bound_worker"
    """The worker is already bound to a session; unbind it first."""
    WORKER_NOT_BOUND = "computation.worker_not_bound"
    """The worker is not bound to a session; bind it first."""
    BENCHMARK_MISSING = "computation.benchmark_missing"
    """The worker has not reported a benchmark score yet; wait for its benchmark to finish."""
    SCORE_TOO_LOW = "computation.score_too_low"
    """The worker's benchmark score is below the minimum of 50."""
    INSUFFICIENT_STAKE = "computation.insufficient_stake"
    """The stake is below S_min = k·√P for the worker's score."""
    TOO_MUCH_STAKE = "computation.too_much_stake"
    """The stake makes Ve exceed Vmax; stake less."""
    NOT_READY = "computation.not_ready"
    """The session is computing or cooling down; it must be Ready."""
    NOT_COMPUTING = "computation.not_computing"
    """The worker is not computing, so it cannot be stopped."""
    NOT_COOLING_DOWN = "computation.not_cooling_down"
    """The worker is not cooling down, so there is no stake to reclaim."""
    COOL_DOWN_NOT_READY = "computation.cool_down_not_ready"
    """The cool-down has not ended yet; try again after it does."""
    INVALID_PARAMETERS = "computation.invalid_parameters"
    """The tokenomic parameters are out of range (e.g. ρ < 1, ratios above 1)."""
    MALFORMED_MESSAGE = "computation.malformed_message"
    """The message payload does not decode as its topic's type."""
    BAD_HEARTBEAT = "computation.bad_heartbeat"
    """The heartbeat names another session, a future challenge, or goes back in time."""
    NOT_GATEKEEPER = "computation.not_gatekeeper"
    """Settlements must come from the gatekeepers (signed by the master key)."""
    SUBSIDY_EXHAUSTED = "computation.subsidy_exhausted"
    """The mining subsidy account cannot cover the settlement's payouts."""


def computation_error(code: ComputationError, message: str) -> DispatchError:
    """Build a computation dispatch error."""
    return DispatchError(code, message, module_index=MODULE_INDEX)
