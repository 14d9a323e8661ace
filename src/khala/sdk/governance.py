"""Reading governance state from a node: referenda, proposals, votes, the treasury, upgrades.

Each read is a ``state_getStorage`` (or a key listing) of an item the runtime declares, decoded
with the runtime's own codec.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from khala.primitives.hashing import blake2_256
from khala.primitives.scale import ScaleError, codec_of
from khala.runtime.modules.democracy import state as dst
from khala.runtime.modules.democracy.types import Finished, Ongoing
from khala.runtime.modules.preimage import state as pst
from khala.runtime.modules.system import state as system_state
from khala.runtime.modules.treasury import state as tst
from khala.runtime.modules.treasury.constants import ACCOUNT as TREASURY
from khala.runtime.outer import RuntimeCall
from khala.sdk.client import Client
from khala.sdk.mining import keys_with_prefix, read

_CALL = codec_of(RuntimeCall)


@dataclass(frozen=True, slots=True)
class Referendum:
    """A referendum, ongoing or finished."""

    index: int
    """Its number."""
    info: Ongoing | Finished
    """Its status or result."""
    call: Any | None
    """The call it carries, when its preimage is noted and decodes."""


def preimage_call(client: Client, digest: bytes) -> Any | None:
    """The call a preimage hash stands for, or None (not noted, or not a call)."""
    raw = read(client, pst.PREIMAGE_FOR, digest)
    if raw is None:
        return None
    try:
        return _CALL.decode(bytes(raw))
    except ScaleError:
        return None


def call_hash(call: Any) -> tuple[bytes, bytes]:
    """A call's encoding (its preimage) and blake2-256 hash."""
    encoded = _CALL.encode(call)
    return encoded, blake2_256(encoded)


def is_noted(client: Client, digest: bytes) -> bool:
    """Whether the preimage of ``digest`` is stored."""
    return read(client, pst.STATUS_FOR, digest) is not None


def referenda(client: Client, *, finished: bool = False) -> list[Referendum]:
    """Ongoing referenda (and finished ones with ``finished``), by index."""
    found = []
    for index in range(read(client, dst.REFERENDUM_COUNT)):
        info = read(client, dst.REFERENDUM_INFO_OF, index)
        if isinstance(info, Ongoing):
            found.append(
                Referendum(index, info, preimage_call(client, bytes(info.status.proposal)))
            )
        elif isinstance(info, Finished) and finished:
            found.append(Referendum(index, info, None))
    return found


def public_proposals(client: Client) -> list[dict[str, Any]]:
    """Waiting public proposals: index, hash, proposer, deposit, seconds, call."""
    rows = []
    for index, digest, proposer in read(client, dst.PUBLIC_PROPS):
        deposit = read(client, dst.DEPOSIT_OF, index)
        backers, amount = deposit if deposit is not None else ([], 0)
        rows.append(
            {
                "index": index,
                "proposal": bytes(digest),
                "proposer": bytes(proposer),
                "deposit": amount,
                "backers": len(backers),
                "call": preimage_call(client, bytes(digest)),
            }
        )
    return rows


def next_external(client: Client) -> tuple[bytes, Any] | None:
    """The council's waiting proposal and its threshold, if any."""
    external = read(client, dst.NEXT_EXTERNAL)
    return None if external is None else (bytes(external[0]), external[1])


def voting_of(client: Client, who: bytes) -> Any:
    """An account's democracy record (votes or delegation, prior lock)."""
    return read(client, dst.VOTING_OF, who)


def treasury_proposals(client: Client) -> list[tuple[int, Any, bool]]:
    """Open and approved treasury proposals: ``(index, proposal, approved)``."""
    approvals = set(read(client, tst.APPROVALS))
    rows = []
    for key in keys_with_prefix(client, tst.PROPOSALS.prefix):
        index = int.from_bytes(key[-4:], "little")
        proposal = read(client, tst.PROPOSALS, index)
        if proposal is not None:
            rows.append((index, proposal, index in approvals))
    return sorted(rows, key=lambda row: row[0])


def treasury_balance(client: Client) -> int:
    """The treasury account's free balance."""
    return int(client.account(TREASURY).data.free)


def pending_upgrade(client: Client) -> Any:
    """The runtime upgrade governance authorized, until its block (or None)."""
    return read(client, system_state.AUTHORIZED_UPGRADE)
