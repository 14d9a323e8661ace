"""Sudo's declaration for the runtime table (:mod:`khala.runtime.table`)."""

from __future__ import annotations

from khala.runtime.module import RuntimeModule
from khala.runtime.modules import sudo
from khala.runtime.modules.sudo import calls, constants, errors, events, hooks, state
from khala.runtime.presets import Preset


def _has_sudo(preset: Preset) -> bool:
    return preset.has_sudo


MODULE = RuntimeModule(
    index=constants.MODULE_INDEX,
    name=constants.MODULE_NAME,
    docs=sudo.__doc__ or "",
    calls=calls.Call,
    handlers=calls.CALLS,
    events=events.Event,
    errors=errors.SudoErrorCode,
    build_genesis=hooks.build_genesis,
    state=state,
    is_present=_has_sudo,
)
"""Sudo's entry in the runtime table."""
