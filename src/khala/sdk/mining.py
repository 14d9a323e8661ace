"""Reading mining state from a node: the switches, the parameters, a worker's session.

Each read is one ``state_getStorage`` of a storage item the runtime declares, decoded with the
runtime's own codec, so the SDK and the chain cannot disagree on layouts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from khala.primitives.ss58 import ss58_encode
from khala.runtime.genesis import preset_of
from khala.runtime.modules.computation import state as cst
from khala.runtime.modules.computation.constants import SUBSIDY_ACCOUNT
from khala.runtime.modules.computation.tokenomics import TokenomicParameters
from khala.runtime.modules.computation.types import SessionInfo
from khala.runtime.modules.registry import state as rst
from khala.runtime.modules.registry.types import WorkerInfo
from khala.runtime.modules.scheduler import state as sst
from khala.runtime.modules.scheduler.types import TaskAddress, task_id
from khala.runtime.presets import Preset
from khala.sdk.client import Client
from khala.sdk.core import unhex
from khala.sdk.times import iso


def read(client: Client, item: Any, *key: Any) -> Any:
    """Read a declared storage item (value: no key; map: one key) with its default."""
    storage_key = item.key_of(*key) if key else item.key
    raw = client.rpc("state_getStorage", "0x" + storage_key.hex())
    return item.decode_value(None if raw is None else unhex(raw, item.name))


@dataclass(frozen=True, slots=True)
class MiningOverview:
    """Network-wide mining facts."""

    enabled: bool
    """The fair-launch switch."""
    heartbeat_paused: bool
    """Whether challenges are paused."""
    online_workers: int
    """Computing workers (the challenge's N)."""
    last_settled_block: int
    """The block of the last accepted settlement."""
    subsidy_free: int
    """Units left in the mining subsidy account."""
    master_pubkey: bytes | None
    """The gatekeepers' master public key, once published."""
    gatekeepers: list[bytes]
    """Registered gatekeepers."""
    params: TokenomicParameters
    """The tokenomic parameters in force."""


def overview(client: Client) -> MiningOverview:
    """Read the network-wide mining state."""
    return MiningOverview(
        enabled=read(client, cst.MINING_ENABLED),
        heartbeat_paused=read(client, cst.HEARTBEAT_PAUSED),
        online_workers=read(client, cst.ONLINE_WORKERS),
        last_settled_block=read(client, cst.LAST_SETTLED_BLOCK),
        subsidy_free=client.account(SUBSIDY_ACCOUNT).data.free,
        master_pubkey=read(client, rst.MASTER_PUBKEY),
        gatekeepers=[bytes(key) for key in read(client, rst.GATEKEEPERS)],
        params=read(client, cst.TOKENOMIC_PARAMETERS),
    )


@dataclass(frozen=True, slots=True)
class SessionStatus:
    """One worker's mining status."""

    worker: bytes
    """The worker's identity key."""
    info: WorkerInfo | None
    """Its registration (score, confidence, operator), if registered."""
    session: bytes | None
    """Its session account, if bound."""
    record: SessionInfo | None
    """The session's record, if bound."""
    stake: int
    """Units reserved for the session."""
    unpaid: tuple[int, int] = (0, 0)
    """``(payout, treasury share)`` settled while the subsidy could not pay them."""
    responsiveness: tuple[bool, int] = (False, 0)
    """``(unresponsive, block)`` of the session's last Enter/ExitUnresponsive (block 0: none)."""

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready summary (V and Ve as decimal strings)."""
        record = self.record
        info = self.info
        return {
            "worker": "0x" + self.worker.hex(),
            "registered": info is not None,
            "score": None if info is None else info.initial_score,
            "confidence_level": None if info is None else info.confidence_level,
            "session": None if self.session is None else "0x" + self.session.hex(),
            "owner": None if record is None else ss58_encode(bytes(record.owner)),
            "state": "Unbound" if record is None else _state_name(record),
            "session_id": None if record is None else record.session_id,
            "v": None if record is None else record.v.to_display(6),
            "ve": None if record is None else record.ve.to_display(6),
            "p_init": None if record is None else record.p_init,
            "p_instant": None if record is None else record.p_instant,
            "last_heartbeat_time": None
            if record is None or not record.challenge_time_last
            else iso(record.challenge_time_last),
            "total_reward": None if record is None else record.total_reward,
            "unpaid_reward": self.unpaid[0],
            "last_responsiveness_change": _responsiveness(self.responsiveness),
            "stake": self.stake,
        }


def _responsiveness(change: tuple[bool, int]) -> str | None:
    """``"EnterUnresponsive at #N"`` / ``"ExitUnresponsive at #N"``, None if never."""
    unresponsive, block = change
    if not block:
        return None
    return f"{'Enter' if unresponsive else 'Exit'}Unresponsive at #{block}"


def _state_name(record: SessionInfo) -> str:
    return "".join(part.title() for part in record.state.name.split("_"))


def session_status(client: Client, worker: bytes) -> SessionStatus:
    """Read a worker's registration, binding, session and stake."""
    info = read(client, rst.WORKERS, worker)
    session = read(client, cst.WORKER_BINDINGS, worker)
    record = None if session is None else read(client, cst.SESSIONS, session)
    stake = 0 if session is None else read(client, cst.STAKES, session)
    unpaid = (0, 0) if session is None else tuple(read(client, cst.UNPAID_REWARDS, session))
    change = (False, 0) if session is None else read(client, cst.RESPONSIVENESS, session)
    bound = None if session is None else bytes(session)
    return SessionStatus(
        worker,
        info,
        bound,
        record,
        stake,
        (int(unpaid[0]), int(unpaid[1])),
        (bool(change[0]), int(change[1])),
    )


KEYS_PAGE = 1000
"""Keys per ``state_getKeysPaged`` request (Substrate's limit)."""


def keys_with_prefix(client: Client, prefix: bytes) -> list[bytes]:
    """Every storage key under ``prefix`` (a declared map's ``prefix``), page by page."""
    keys: list[bytes] = []
    start = None
    while True:
        page = client.rpc("state_getKeysPaged", "0x" + prefix.hex(), KEYS_PAGE, start)
        keys.extend(unhex(key, "storage key") for key in page)
        if len(page) < KEYS_PAGE:
            return keys
        start = page[-1]


@dataclass(frozen=True, slots=True)
class ScheduledTask:
    """A task in the scheduler's agenda."""

    when: int
    """The block it runs in."""
    index: int
    """Its slot in that block's agenda."""
    name: str | None
    """Its name, for named tasks."""
    call: Any
    """The call it dispatches (as root)."""
    priority: int = 0
    """0 is the most urgent (0..63 run even past the block's scheduler weight limit)."""
    period: int | None = None
    """Blocks between runs of a periodic task."""
    runs_left: int = 1
    """Runs including this one (1 for a one-off task)."""


def agenda(client: Client) -> list[ScheduledTask]:
    """Every pending task, soonest first."""
    tasks = []
    for key in keys_with_prefix(client, sst.AGENDA.prefix):
        when = int.from_bytes(key[-4:], "little")
        for index, task in enumerate(read(client, sst.AGENDA, when)):
            if task is None:
                continue
            name = None
            if task.maybe_id is not None:
                name = bytes(task.maybe_id).rstrip(b"\x00").decode("utf-8", errors="replace")
            period, later = task.maybe_periodic or (None, 0)
            tasks.append(
                ScheduledTask(when, index, name, task.call, task.priority, period, later + 1)
            )
    return sorted(tasks, key=lambda task: (task.when, task.index))


def scheduled_task(client: Client, name: str) -> TaskAddress | None:
    """Where a named scheduler task sits, or None (unknown, ran or cancelled)."""
    task = task_id(name)
    return None if task is None else read(client, sst.LOOKUP, task)


def chain_preset(client: Client) -> Preset:
    """The preset the chain was started with (block time, cool-down...)."""

    def get(key: bytes) -> bytes | None:
        raw = client.rpc("state_getStorage", "0x" + key.hex())
        return None if raw is None else unhex(raw, "preset")

    return preset_of(get)


def cool_down_end(client: Client, worker: bytes) -> int | None:
    """Unix seconds when a cooling-down worker's stake may be reclaimed, or None."""
    status = session_status(client, worker)
    record = status.record
    if record is None or not record.cool_down_start:
        return None
    return int(record.cool_down_start) + chain_preset(client).cool_down_secs


def mining_start_block(client: Client) -> int | None:
    """The block the scheduled ``start-mining`` task runs at, or None when none is scheduled."""
    address = scheduled_task(client, "start-mining")
    return None if address is None else int(address.when)
