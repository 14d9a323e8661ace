"""Computation's dispatch errors (each with its declared on-chain index)."""

from __future__ import annotations

from khala.runtime.errors import DispatchError, ModuleErrorCode
from khala.runtime.modules.computation.constants import MODULE_INDEX


class ComputationErrorCode(ModuleErrorCode):
    """Computation error codes."""

    MINING_NOT_ENABLED = "computation.mining_not_enabled", 0
    """Mining has not started yet: governance enables it at the scheduled block."""
    WORKER_NOT_REGISTERED = "computation.worker_not_registered", 1
    """No worker is registered with this public key."""
    NOT_OPERATOR = "computation.not_operator", 2
    """Only the worker's registered operator may bind it and use its session."""
    DUPLICATE_BOUND_WORKER = "computation.duplicate_bound_worker", 3
    """The worker is already bound to a session; unbind it first."""
    WORKER_NOT_BOUND = "computation.worker_not_bound", 4
    """The worker is not bound to a session; bind it first."""
    BENCHMARK_MISSING = "computation.benchmark_missing", 5
    """The worker has not reported a benchmark score yet; wait for its benchmark to finish."""
    SCORE_TOO_LOW = "computation.score_too_low", 6
    """The worker's benchmark score is below the minimum of 50; registering it again (restart
    its relayer) orders a new benchmark."""
    INSUFFICIENT_STAKE = "computation.insufficient_stake", 7
    """The stake is below S_min = k·√P for the worker's score."""
    TOO_MUCH_STAKE = "computation.too_much_stake", 8
    """The stake makes Ve exceed Vmax; stake less."""
    NOT_READY = "computation.not_ready", 9
    """The session is computing or cooling down; it must be Ready."""
    NOT_COMPUTING = "computation.not_computing", 10
    """The worker is not computing, so it cannot be stopped."""
    NOT_COOLING_DOWN = "computation.not_cooling_down", 11
    """The worker is not cooling down, so there is no stake to reclaim."""
    COOL_DOWN_NOT_READY = "computation.cool_down_not_ready", 12
    """The cool-down has not ended yet; try again after it does."""
    INVALID_PARAMETERS = "computation.invalid_parameters", 13
    """The tokenomic parameters are out of range (e.g. ρ < 1, ratios above 1)."""
    MALFORMED_MESSAGE = "computation.malformed_message", 14
    """The message payload does not decode as its topic's type."""
    BAD_HEARTBEAT = "computation.bad_heartbeat", 15
    """The heartbeat names another session, a future challenge, or goes back in time."""
    NOT_GATEKEEPER = "computation.not_gatekeeper", 16
    """Settlements must come from the gatekeepers (signed by the master key)."""
    SUBSIDY_EXHAUSTED = "computation.subsidy_exhausted", 17
    """The mining subsidy account cannot cover a payment (settlements no longer fail with
    it: unpaid rewards are recorded in ``UnpaidRewards``); kept for its stable index."""


def computation_error(code: ComputationErrorCode, message: str) -> DispatchError:
    """Build a computation dispatch error."""
    return DispatchError(code, message, module_index=MODULE_INDEX)
