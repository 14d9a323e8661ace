"""Stake pool's declaration for the runtime table (:mod:`khala.runtime.table`)."""

from __future__ import annotations

from khala.primitives.scale import U32
from khala.runtime.module import Constant, RuntimeModule
from khala.runtime.modules import stake_pool
from khala.runtime.modules.computation.constants import RECLAIMED, REWARDED
from khala.runtime.modules.stake_pool import calls, constants, errors, events, listeners, state
from khala.runtime.types import Balance

MODULE = RuntimeModule(
    index=constants.MODULE_INDEX,
    name=constants.MODULE_NAME,
    docs=stake_pool.__doc__ or "",
    calls=calls.Call,
    handlers=calls.CALLS,
    events=events.Event,
    errors=errors.StakePoolErrorCode,
    state=state,
    constants=(
        Constant(
            "MinContribution",
            Balance,
            constants.MIN_CONTRIBUTION,
            "The smallest contribution, in planck.",
        ),
        Constant(
            "MaxPoolWorkers", U32, constants.MAX_POOL_WORKERS, "The most workers a pool may have."
        ),
        Constant(
            "GracePeriod",
            U32,
            lambda preset: preset.withdraw_grace_secs,
            "Seconds a withdrawal may wait before anyone may force the pool's workers to stop.",
        ),
    ),
    announces=(constants.PAID,),
    listeners={REWARDED: listeners.on_rewarded, RECLAIMED: listeners.on_reclaimed},
)
"""Stake pool's entry in the runtime table."""
