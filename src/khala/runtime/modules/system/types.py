"""System records about the runtime itself (FRAME's layouts where FRAME has them)."""

from __future__ import annotations

from dataclasses import dataclass

from khala.primitives.scale import H256, U32, Compact
from khala.runtime.types import BlockNumber


@dataclass(frozen=True, slots=True)
class LastRuntimeUpgradeInfo:
    """The runtime the chain runs (FRAME's ``LastRuntimeUpgradeInfo``)."""

    spec_version: Compact
    """Its ``spec_version``."""
    spec_name: str
    """Its ``spec_name`` (``khala``)."""


@dataclass(frozen=True, slots=True)
class AuthorizedUpgrade:
    """A runtime upgrade governance authorized, taking effect at block ``at``."""

    spec_version: U32
    """The runtime to switch to."""
    code_hash: H256
    """The hash of that runtime's code (see :func:`khala.runtime.releases.code_hash`): a node
    whose release of ``spec_version`` hashes differently refuses to switch."""
    at: BlockNumber
    """The block whose initialization switches."""
