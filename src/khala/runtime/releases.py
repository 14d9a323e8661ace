"""The runtime releases this package ships: the state machines a chain may run, by version.

A chain records the ``spec_version`` it runs (``System.LastRuntimeUpgrade``); every node
executes each block with the release of that version, so a chain started before an upgrade
replays its old blocks with the old rules. Governance switches releases with
``system.authorize_upgrade(spec_version, code_hash)``; the code hash is the blake2-256 of the
release's ``RuntimeVersion`` and its V14 metadata for the chain's preset, so it commits to
every call, event, error, storage item and constant, and a node holding a different build of
that version refuses to switch rather than fork.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from khala.errors import KhalaError
from khala.primitives.hashing import blake2_256
from khala.primitives.scale import encode
from khala.runtime.apis import RuntimeVersion, api_versions
from khala.runtime.composition import Runtime
from khala.runtime.metadata import build_metadata
from khala.runtime.presets import Preset
from khala.runtime.table import LAUNCH_RUNTIME, MINING_RUNTIME, RUNTIME
from khala.runtime.version import (
    IMPL_NAME,
    SPEC_NAME,
    SPEC_VERSION,
    STATE_VERSION,
    TRANSACTION_VERSION,
)


class UpgradeErrorCode(StrEnum):
    """Codes of :class:`UnknownRuntimeError`."""

    UNKNOWN_VERSION = "runtime.unknown_version"
    """The chain runs (or switches to) a spec version this package does not ship."""
    CODE_MISMATCH = "runtime.code_mismatch"
    """This package's release of the version hashes differently from what was authorized."""


class UnknownRuntimeError(KhalaError):
    """A node cannot execute the chain's runtime: install the release the message names."""


@dataclass(frozen=True, slots=True)
class Release:
    """One runtime release: its version and its module table."""

    spec_version: int
    """The version chains record and transactions sign."""
    runtime: Runtime
    """Its modules."""
    summary: str
    """What the release brought, for ``khala gov upgrade --list``."""
    _hashes: dict[str, bytes] = field(default_factory=dict, repr=False, compare=False)

    def version_record(self) -> RuntimeVersion:
        """The SCALE ``RuntimeVersion`` that ``Core_version`` answers."""
        return RuntimeVersion(
            SPEC_NAME,
            IMPL_NAME,
            1,
            self.spec_version,
            0,
            api_versions(),
            TRANSACTION_VERSION,
            STATE_VERSION,
        )

    def version_json(self) -> dict[str, Any]:
        """The version in Substrate's RPC shape (``state_getRuntimeVersion``)."""
        return {
            "specName": SPEC_NAME,
            "implName": IMPL_NAME,
            "authoringVersion": 1,
            "specVersion": self.spec_version,
            "implVersion": 0,
            "apis": [["0x" + api.hex(), version] for api, version in api_versions()],
            "transactionVersion": TRANSACTION_VERSION,
            "stateVersion": STATE_VERSION,
        }

    def code_hash(self, preset: Preset) -> bytes:
        """blake2-256 of the encoded version and the V14 metadata for ``preset`` (cached)."""
        key = repr(preset)
        if key not in self._hashes:
            metadata = build_metadata(self.runtime, preset, 14)
            self._hashes[key] = blake2_256(encode(self.version_record()) + metadata)
        return self._hashes[key]


RELEASES: dict[int, Release] = {
    7: Release(
        7,
        LAUNCH_RUNTIME,
        "launch: accounts, governance, vesting, the worker registry and message queue; no "
        "mining (Khala before its mining upgrade)",
    ),
    8: Release(
        8,
        MINING_RUNTIME,
        "mining: computation sessions and heartbeats, stake pools and vaults; the computation "
        "module's migration sets the Gemini tokenomic parameters",
    ),
    SPEC_VERSION: Release(
        SPEC_VERSION,
        RUNTIME,
        "contracts: clusters of workers, ink! code, instantiation, encrypted commands and "
        "contract events (the phat contracts module)",
    ),
}
"""Every release this package ships, by spec version."""
LATEST_SPEC_VERSION = max(RELEASES)
"""The newest release: new chains start with it unless their genesis names another."""


def release(spec_version: int, releases: Mapping[int, Release] = RELEASES) -> Release:
    """The release of ``spec_version`` among ``releases`` (this package's by default).

    Raises:
        UnknownRuntimeError: ``runtime.unknown_version`` naming the version to install.
    """
    found = releases.get(spec_version)
    if found is None:
        known = ", ".join(str(version) for version in sorted(releases))
        raise UnknownRuntimeError(
            UpgradeErrorCode.UNKNOWN_VERSION,
            f"the chain runs runtime spec_version {spec_version}, which this khala does not "
            f"ship (it has {known}): install a khala release with spec_version {spec_version}",
        )
    return found
