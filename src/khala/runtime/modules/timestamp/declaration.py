"""Timestamp's declaration for the runtime table (:mod:`khala.runtime.table`)."""

from __future__ import annotations

from khala.runtime.module import Constant, RuntimeModule
from khala.runtime.modules import timestamp
from khala.runtime.modules.timestamp import calls, constants, errors, hooks, state
from khala.runtime.presets import Preset
from khala.runtime.types import Moment


def _minimum_period(preset: Preset) -> int:
    return preset.minimum_period_ms


MODULE = RuntimeModule(
    index=constants.MODULE_INDEX,
    name=constants.MODULE_NAME,
    docs=timestamp.__doc__ or "",
    calls=calls.Call,
    handlers=calls.CALLS,
    errors=errors.TimestampErrorCode,
    on_finalize=hooks.on_finalize,
    state=state,
    constants=(
        Constant(
            "MinimumPeriod",
            Moment,
            _minimum_period,
            "Least time between block timestamps in ms: half the block time.",
        ),
    ),
)
"""Timestamp's entry in the runtime table."""
