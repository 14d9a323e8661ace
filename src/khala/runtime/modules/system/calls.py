"""System's calls: remarks (arbitrary data notarised on chain) and runtime upgrades."""

from __future__ import annotations

from dataclasses import dataclass

from khala.primitives.hashing import blake2_256
from khala.primitives.scale import H256, U32, ScaleEnum, variant
from khala.runtime.context import TWO_THIRDS, Context, ensure_governance, ensure_signed
from khala.runtime.dispatch_table import CallSpec
from khala.runtime.modules.system import state as system_state
from khala.runtime.modules.system.constants import REMARK_WEIGHT, UPGRADE_WEIGHT
from khala.runtime.modules.system.errors import SystemErrorCode, system_error
from khala.runtime.modules.system.events import Remarked, UpgradeAuthorized
from khala.runtime.modules.system.types import AuthorizedUpgrade
from khala.runtime.state import State
from khala.runtime.types import DispatchClass, Pays


class Call(ScaleEnum):
    """A System call."""


@variant(0)
@dataclass(frozen=True, slots=True)
class Remark(Call):
    """Put data on chain without effects (``system.remark``)."""

    remark: bytes
    """The data."""


@variant(7)
@dataclass(frozen=True, slots=True)
class RemarkWithEvent(Call):
    """Put data on chain and emit its hash (``system.remark_with_event``)."""

    remark: bytes
    """The data."""


@variant(9)
@dataclass(frozen=True, slots=True)
class AuthorizeUpgrade(Call):
    """Governance (⅔ of the council, or a referendum): switch runtimes at the next block.

    A node without the release of ``spec_version`` (with that code hash) stops there.
    """

    spec_version: U32
    """The runtime to switch to (above the current one)."""
    code_hash: H256
    """Its code hash, as ``khala gov upgrade`` prints it."""


def remark(state: State, ctx: Context, args: Remark) -> None:
    """Accept any origin's remark; the extrinsic itself is the record."""
    del state, ctx, args


def remark_with_event(state: State, ctx: Context, args: RemarkWithEvent) -> None:
    """Emit ``Remarked`` with the remark's hash."""
    del state
    sender = ensure_signed(ctx)
    ctx.emit(Remarked(sender, blake2_256(args.remark)))


def authorize_upgrade(state: State, ctx: Context, args: AuthorizeUpgrade) -> None:
    """Record the authorized upgrade, effective at the next block; emits ``UpgradeAuthorized``."""
    ensure_governance(ctx, TWO_THIRDS)
    current = system_state.LAST_RUNTIME_UPGRADE.get(state)
    running = 0 if current is None else int(current.spec_version)
    if args.spec_version <= running:
        raise system_error(
            SystemErrorCode.SPEC_VERSION_NEEDS_TO_INCREASE,
            f"the chain runs spec_version {running}; an upgrade must name a higher one",
        )
    upgrade = AuthorizedUpgrade(args.spec_version, bytes(args.code_hash), ctx.env.number + 1)
    system_state.AUTHORIZED_UPGRADE.put(state, upgrade)
    ctx.emit(UpgradeAuthorized(args.spec_version, bytes(args.code_hash)))


CALLS: dict[type, CallSpec] = {
    Remark: CallSpec(remark, REMARK_WEIGHT),
    AuthorizeUpgrade: CallSpec(
        authorize_upgrade, UPGRADE_WEIGHT, DispatchClass.OPERATIONAL, Pays.NO
    ),
    RemarkWithEvent: CallSpec(remark_with_event, REMARK_WEIGHT),
}
"""Handlers of System's calls."""
