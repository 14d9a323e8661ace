"""Switching runtimes: which release runs a block, and the upgrade block's migrations.

At the start of a block, before any ``on_initialize``, the executive asks :func:`runtime_for`
which release executes it. When governance authorized an upgrade for this block, the new
release's modules migrate their storage (each module whose on-chain storage version is below
its declared one runs ``on_runtime_upgrade``, in table order), the chain records the new
version and ``System.CodeUpdated`` is emitted. A node that does not ship the release (or ships
a build with another code hash) raises :class:`UnknownRuntimeError` and so stops before it
executes, let alone finalizes, a block it cannot run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from khala.primitives.hashing import twox128
from khala.primitives.scale import U16, codec_of
from khala.runtime.context import Context
from khala.runtime.module import RuntimeModule
from khala.runtime.modules.system import events as system_events
from khala.runtime.modules.system import state as system_state
from khala.runtime.modules.system.constants import SPEC_NAME
from khala.runtime.modules.system.types import LastRuntimeUpgradeInfo
from khala.runtime.presets import Preset
from khala.runtime.releases import (
    LATEST_SPEC_VERSION,
    RELEASES,
    Release,
    UnknownRuntimeError,
    UpgradeErrorCode,
    release,
)
from khala.runtime.state import State

_U16 = codec_of(U16)
STORAGE_VERSION_SUFFIX = b":__STORAGE_VERSION__:"
"""FRAME's well-known key suffix of a pallet's storage version."""


def storage_version_key(module: RuntimeModule) -> bytes:
    """``twox128(module name) ++ twox128(":__STORAGE_VERSION__:")``, as FRAME stores it."""
    return twox128(module.name.encode()) + twox128(STORAGE_VERSION_SUFFIX)


def storage_version_of(state: State, module: RuntimeModule) -> int:
    """The module's storage version on chain (0 when never recorded: a new module)."""
    raw = state.get(storage_version_key(module))
    return 0 if raw is None else int(_U16.decode(raw))


def put_storage_version(state: State, module: RuntimeModule) -> None:
    """Record the module's declared storage version."""
    state.set(storage_version_key(module), _U16.encode(module.storage_version))


def spec_version_of(state: State) -> int:
    """The spec version the chain in ``state`` runs.

    A chain that never recorded one (created before releases were recorded) runs the newest.
    """
    info = system_state.LAST_RUNTIME_UPGRADE.get(state)
    return LATEST_SPEC_VERSION if info is None else int(info.spec_version)


def runtime_for(
    state: State,
    number: int,
    preset: Preset,
    context: Callable[[Release], Context],
    releases: Mapping[int, Release] = RELEASES,
) -> Release:
    """The release that executes block ``number``, switching first when an upgrade is due.

    ``context`` builds the upgrade block's context for the new release (root origin,
    initialization phase).

    Raises:
        UnknownRuntimeError: When the chain runs, or now switches to, a release this package
            does not ship, or ships with another code hash.
    """
    pending = system_state.AUTHORIZED_UPGRADE.get(state)
    if pending is None or number < pending.at:
        return release(spec_version_of(state), releases)
    try:
        new = release(pending.spec_version, releases)
    except UnknownRuntimeError:
        raise UnknownRuntimeError(
            UpgradeErrorCode.UNKNOWN_VERSION,
            f"governance switches this chain to runtime spec_version {pending.spec_version} at "
            f"block #{pending.at}; this khala ships {_known(releases)}: install a khala release "
            f"with spec_version {pending.spec_version} and restart the node",
        ) from None
    if new.code_hash(preset) != bytes(pending.code_hash):
        raise UnknownRuntimeError(
            UpgradeErrorCode.CODE_MISMATCH,
            f"block #{pending.at} switches to spec_version {pending.spec_version} with code hash "
            f"0x{bytes(pending.code_hash).hex()}, but this khala's release of it hashes to "
            f"0x{new.code_hash(preset).hex()}: install the release governance authorized",
        )
    ctx = context(new)
    for module in new.runtime.present(preset):
        on_chain = storage_version_of(state, module)
        if module.on_runtime_upgrade is not None and on_chain < module.storage_version:
            module.on_runtime_upgrade(state, ctx, on_chain)
        if module.storage_version and on_chain != module.storage_version:
            put_storage_version(state, module)
    system_state.LAST_RUNTIME_UPGRADE.put(
        state, LastRuntimeUpgradeInfo(new.spec_version, SPEC_NAME)
    )
    system_state.AUTHORIZED_UPGRADE.kill(state)
    ctx.emit(system_events.CodeUpdated())
    return new


def _known(releases: Mapping[int, Release]) -> str:
    return ", ".join(str(version) for version in sorted(releases))
