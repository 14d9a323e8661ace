"""Mining messages on chain: benchmark reports, the master key, heartbeats and settlements."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from khala.primitives.crypto import Keypair, KeyScheme, keypair_from_seed
from khala.primitives.fixed_point import U64F64
from khala.primitives.scale import decode, encode
from khala.runtime.dispatch import module_error_code
from khala.runtime.modules.balances.calls import ForceSetBalance
from khala.runtime.modules.balances.constants import EXISTENTIAL_DEPOSIT
from khala.runtime.modules.balances.currency import free_balance
from khala.runtime.modules.computation import constants as cst_constants
from khala.runtime.modules.computation import events as cev
from khala.runtime.modules.computation import state as cst
from khala.runtime.modules.computation.calls import Bind, SetMiningEnabled, StartComputing
from khala.runtime.modules.computation.constants import (
    HEARTBEAT_TOPIC,
    SETTLE_TOPIC,
    SUBSIDY_ACCOUNT,
)
from khala.runtime.modules.computation.errors import ComputationErrorCode
from khala.runtime.modules.computation.sessions import session_account
from khala.runtime.modules.computation.types import (
    Heartbeat,
    SessionState,
    SettleInfo,
    WorkingInfoUpdate,
)
from khala.runtime.modules.mq import state as mq_state
from khala.runtime.modules.mq.calls import SyncOffchainMessage, signed_payload
from khala.runtime.modules.mq.events import MessageHandlerFailed
from khala.runtime.modules.mq.types import GatekeeperOrigin, Message, SignedMessage, WorkerOrigin
from khala.runtime.modules.payment.constants import TREASURY_ACCOUNT
from khala.runtime.modules.registry import state as rst
from khala.runtime.modules.registry.calls import RegisterGatekeeper, UnregisterGatekeeper
from khala.runtime.modules.registry.constants import (
    BENCH_REPORT_TOPIC,
    BENCH_START_TOPIC,
    MASTER_PUBKEY_TOPIC,
)
from khala.runtime.modules.registry.events import BenchmarkReported, MasterPubkeyPublished
from khala.runtime.modules.registry.types import BenchReport, BenchStart, MasterPubkeyUpload
from khala.runtime.modules.sudo.calls import Sudo
from khala.runtime.modules.timestamp.state import now
from khala.runtime.types import AddressId, ModuleDispatchError, ModuleError
from tests.runtime.harness import PHA
from tests.runtime.test_registry import ALICE, RELAYER, WORKER, Chain

MASTER = keypair_from_seed(KeyScheme.ED25519, b"\x42" * 32)


class Mining(Chain):
    """A registered worker (operator: RELAYER) that messages the chain."""

    def __init__(self, tmp_path: Path) -> None:
        super().__init__(tmp_path, mining_subsidy=1_000_000 * PHA)
        info = self.info()
        error, self.registration_events = self.register(info, self.attestation(info))
        assert error is None
        self.outbound_after_registration = mq_state.OUTBOUND.get(self.harness.state())
        self.sequences: dict[Any, int] = {}

    def message(
        self, topic: bytes, payload: bytes, *, gatekeeper: bool = False, key: Keypair = WORKER
    ) -> tuple[str | None, list[Any]]:
        """Sign and submit the sender's next message."""
        sender: Any = GatekeeperOrigin() if gatekeeper else WorkerOrigin(WORKER.public_key)
        sequence = self.sequences.get(sender, 0)
        self.sequences[sender] = sequence + 1
        message = Message(sender, topic, payload)
        signed = SignedMessage(message, sequence, key.sign(signed_payload(message, sequence)))
        return self.submit(SyncOffchainMessage(signed))

    def root(self, call: Any) -> list[Any]:
        return self.submit(Sudo(call), signer=ALICE)[1]

    def now_s(self) -> int:
        return now(self.harness.state()) // 1000

    def publish_master(self) -> None:
        self.root(RegisterGatekeeper(WORKER.public_key))
        self.message(MASTER_PUBKEY_TOPIC, encode(MasterPubkeyUpload(MASTER.public_key)))

    def start_computing(self, score_iterations: int = 2_000) -> bytes:
        """Benchmark (score from ``score_iterations`` over the elapsed time), bind and start."""
        start = self.now_s() - 6
        self.message(BENCH_REPORT_TOPIC, encode(BenchReport(start, score_iterations)))
        self.root(SetMiningEnabled(True))
        self.submit(Bind(WORKER.public_key))
        error, _ = self.submit(StartComputing(WORKER.public_key, 3000 * PHA))
        assert error is None
        return session_account(RELAYER.public_key, WORKER.public_key)


@pytest.fixture
def chain(tmp_path: Path) -> Mining:
    return Mining(tmp_path)


def _failures(events: list[Any]) -> list[str]:
    """The codes of the messages the chain's handlers refused."""
    codes = []
    for event in events:
        if isinstance(event, MessageHandlerFailed):
            error = event.error
            assert isinstance(error, ModuleDispatchError), error
            codes.append(module_error_code(error.error.index, error.error.error[0]))
    return codes


def test_registration_starts_a_benchmark_and_the_report_sets_the_score(chain: Mining) -> None:
    """BenchStart goes out at registration; score = iterations·6/elapsed, once."""
    starts = [m for m in chain.outbound_after_registration if m.destination == BENCH_START_TOPIC]
    assert [decode(BenchStart, m.payload) for m in starts] == [
        BenchStart(WORKER.public_key, chain.harness.preset.benchmark_blocks)
    ]
    # The report's block is 2 s after the current one; started 10 s before that block:
    start = chain.now_s() + 2 - 10
    error, events = chain.message(BENCH_REPORT_TOPIC, encode(BenchReport(start, 5_000)))
    assert error is None
    assert BenchmarkReported(WORKER.public_key, 3_000) in events  # 5000·6/10
    assert rst.WORKERS.get(chain.harness.state(), WORKER.public_key).initial_score == 3_000
    error, events = chain.message(BENCH_REPORT_TOPIC, encode(BenchReport(start, 9_999)))
    assert error is None and _failures(events) == [
        "registry.benchmark_already_reported"
    ]  # refused, sequence consumed
    origin = WorkerOrigin(WORKER.public_key)
    assert mq_state.next_sequence(chain.harness.state(), origin) == 2
    assert rst.WORKERS.get(chain.harness.state(), WORKER.public_key).initial_score == 3_000


def test_scores_are_capped(chain: Mining) -> None:
    """A huge iteration count scores 6000."""
    chain.message(BENCH_REPORT_TOPIC, encode(BenchReport(chain.now_s() - 4, 10**12)))
    assert rst.WORKERS.get(chain.harness.state(), WORKER.public_key).initial_score == 6_000


def test_master_pubkey_comes_from_a_gatekeeper_once(chain: Mining) -> None:
    """A non-gatekeeper cannot publish; a gatekeeper can, once; the last one stays."""
    upload = encode(MasterPubkeyUpload(MASTER.public_key))
    _, events = chain.message(MASTER_PUBKEY_TOPIC, upload)
    assert (
        _failures(events) == ["registry.gatekeeper_unknown"]
        and rst.MASTER_PUBKEY.get(chain.harness.state()) is None
    )
    chain.root(RegisterGatekeeper(WORKER.public_key))
    _, events = chain.message(MASTER_PUBKEY_TOPIC, upload)
    assert MasterPubkeyPublished(MASTER.public_key) in events
    _, events = chain.message(MASTER_PUBKEY_TOPIC, upload)
    assert _failures(events) == ["registry.master_pubkey_exists"]
    events = chain.root(UnregisterGatekeeper(WORKER.public_key))
    assert WORKER.public_key in rst.GATEKEEPERS.get(chain.harness.state())


def test_heartbeats_are_recorded_and_checked(chain: Mining) -> None:
    """A computing worker's heartbeat updates its session; a wrong session id is refused."""
    session = chain.start_computing()
    record = cst.SESSIONS.get(chain.harness.state(), session)
    block = chain.harness.head.number
    beat = Heartbeat(record.session_id, block, chain.now_s(), 500)
    error, events = chain.message(HEARTBEAT_TOPIC, encode(beat))
    assert error is None and cev.HeartbeatReceived(session, block) in events
    delivered = mq_state.OUTBOUND.get(chain.harness.state())
    assert any(m.destination == HEARTBEAT_TOPIC for m in delivered)  # gatekeepers see it
    assert cst.SESSIONS.get(chain.harness.state(), session).iterations == 500
    stale = Heartbeat(record.session_id + 1, block, chain.now_s(), 600)
    _, events = chain.message(HEARTBEAT_TOPIC, encode(stale))
    assert _failures(events) == ["computation.bad_heartbeat"]
    assert not any(
        m.destination == HEARTBEAT_TOPIC for m in mq_state.OUTBOUND.get(chain.harness.state())
    )


def test_settlements_pay_from_the_subsidy_and_drop_late_ones(chain: Mining) -> None:
    """Payout to the owner, treasury share to the treasury, V set; a replayed block is dropped."""
    session = chain.start_computing()
    chain.publish_master()  # two more blocks: the update below is computed after the start
    state = chain.harness.state()
    owner_before = chain.harness.free(RELAYER)
    treasury_before = free_balance(state, TREASURY_ACCOUNT)
    subsidy_before = free_balance(state, SUBSIDY_ACCOUNT)
    v = U64F64.from_int(4000)
    update = WorkingInfoUpdate(
        chain.harness.head.number,
        [],
        [],
        [SettleInfo(WORKER.public_key, v.bits, 8 * PHA, 2 * PHA)],
    )
    error, events = chain.message(SETTLE_TOPIC, encode(update), gatekeeper=True, key=MASTER)
    assert error is None and cev.SessionSettled(session, v, 8 * PHA) in events
    state = chain.harness.state()
    # Gatekeeper messages are fee-exempt, so the relayer (also the owner) paid nothing:
    assert chain.harness.free(RELAYER) == owner_before + 8 * PHA
    assert free_balance(state, TREASURY_ACCOUNT) == treasury_before + 2 * PHA
    assert free_balance(state, SUBSIDY_ACCOUNT) == subsidy_before - 10 * PHA
    record = cst.SESSIONS.get(state, session)
    assert record.v == v and record.total_reward == 8 * PHA
    late = WorkingInfoUpdate(update.block_number, [WORKER.public_key], [], [])
    _, events = chain.message(SETTLE_TOPIC, encode(late), gatekeeper=True, key=MASTER)
    assert cev.SettlementDropped(update.block_number) in events
    offline = WorkingInfoUpdate(update.block_number + 1, [WORKER.public_key], [], [])
    _, events = chain.message(SETTLE_TOPIC, encode(offline), gatekeeper=True, key=MASTER)
    assert cev.WorkerEnterUnresponsive(session) in events
    state = chain.harness.state()
    assert cst.SESSIONS.get(state, session).state is SessionState.WORKER_UNRESPONSIVE
    assert cst.RESPONSIVENESS.get(state, session) == (True, offline.block_number)
    back = WorkingInfoUpdate(offline.block_number + 1, [], [WORKER.public_key], [])
    _, events = chain.message(SETTLE_TOPIC, encode(back), gatekeeper=True, key=MASTER)
    assert cev.WorkerExitUnresponsive(session) in events
    state = chain.harness.state()
    assert cst.SESSIONS.get(state, session).state is SessionState.WORKER_IDLE
    assert cst.RESPONSIVENESS.get(state, session) == (False, back.block_number)


def test_settlements_need_the_master_key(chain: Mining) -> None:
    """Before the key is published, or signed by another key, a settlement is refused."""
    update = encode(WorkingInfoUpdate(1, [], [], []))
    assert chain.message(SETTLE_TOPIC, update, gatekeeper=True, key=MASTER)[0] == (
        "mq.unknown_sender"
    )
    chain.sequences.clear()
    chain.publish_master()
    assert chain.message(SETTLE_TOPIC, update, gatekeeper=True, key=WORKER)[0] == (
        "mq.bad_signature"
    )


def test_an_undecodable_heartbeat_is_refused_with_the_modules_typed_error(chain: Mining) -> None:
    """The topic's declaration opens the payload; a bad one fails as malformed_message."""
    chain.start_computing()
    error, events = chain.message(HEARTBEAT_TOPIC, b"\x01\x02")
    assert error is None  # the extrinsic succeeds: the sequence is used
    [failure] = [event for event in events if isinstance(event, MessageHandlerFailed)]
    assert _failures(events) == ["computation.malformed_message"]
    assert failure.destination == HEARTBEAT_TOPIC
    assert failure.error == ModuleDispatchError(
        ModuleError(
            cst_constants.MODULE_INDEX,
            bytes((ComputationErrorCode.MALFORMED_MESSAGE.error_index, 0, 0, 0)),
        )
    )


def test_an_empty_subsidy_still_applies_states_and_records_what_it_owes(chain: Mining) -> None:
    """With the subsidy drained, the offline list and V still apply.

    The unpaid payout and treasury share are recorded (event and storage), never lost.
    """
    chain.publish_master()
    session = chain.start_computing()
    chain.root(ForceSetBalance(AddressId(SUBSIDY_ACCOUNT), EXISTENTIAL_DEPOSIT))
    owner_before = chain.harness.free(RELAYER)
    v = U64F64.from_int(4000)
    update = WorkingInfoUpdate(
        chain.harness.head.number,
        [WORKER.public_key],
        [],
        [SettleInfo(WORKER.public_key, v.bits, 8 * PHA, 2 * PHA)],
    )
    error, events = chain.message(SETTLE_TOPIC, encode(update), gatekeeper=True, key=MASTER)
    assert error is None and _failures(events) == []
    assert cev.WorkerEnterUnresponsive(session) in events
    assert cev.RewardUnpaid(session, 8 * PHA, 2 * PHA) in events
    state = chain.harness.state()
    record = cst.SESSIONS.get(state, session)
    assert record.state is SessionState.WORKER_UNRESPONSIVE and record.v == v
    assert record.total_reward == 0 and chain.harness.free(RELAYER) == owner_before
    assert cst.UNPAID_REWARDS.get(state, session) == (8 * PHA, 2 * PHA)
    assert cst.LAST_SETTLED_BLOCK.get(state) == update.block_number


def test_a_settlement_older_than_the_session_is_dropped_for_that_session(chain: Mining) -> None:
    """An entry computed before the session's last update is dropped, as Phala drops it.

    Here it was computed before the session started computing; it is dropped with an event
    (``try_handle_settle``) and the session's V and balance are untouched.
    """
    chain.publish_master()
    session = chain.start_computing()
    state = chain.harness.state()
    record = cst.SESSIONS.get(state, session)
    owner_before = chain.harness.free(RELAYER)
    stale_v = U64F64.from_int(1)
    update = WorkingInfoUpdate(
        record.v_updated_at - 1, [], [], [SettleInfo(WORKER.public_key, stale_v.bits, PHA, 0)]
    )
    error, events = chain.message(SETTLE_TOPIC, encode(update), gatekeeper=True, key=MASTER)
    assert error is None and _failures(events) == []
    assert cev.SessionSettlementDropped(session, stale_v.bits, PHA) in events
    assert not any(isinstance(event, cev.SessionSettled) for event in events)
    after = cst.SESSIONS.get(chain.harness.state(), session)
    assert after.v == record.v and after.v_updated_at == record.v_updated_at
    assert chain.harness.free(RELAYER) == owner_before


def test_heartbeats_for_future_challenges_or_with_falling_counts_are_refused(
    chain: Mining,
) -> None:
    """A heartbeat must answer a past block's challenge and count on from the last one."""
    session = chain.start_computing()
    record = cst.SESSIONS.get(chain.harness.state(), session)
    block = chain.harness.head.number
    future = Heartbeat(record.session_id, block + 1, chain.now_s(), 100)
    assert _failures(chain.message(HEARTBEAT_TOPIC, encode(future))[1]) == [
        "computation.bad_heartbeat"
    ]
    assert (
        chain.message(HEARTBEAT_TOPIC, encode(Heartbeat(1, block, chain.now_s(), 500)))[0] is None
    )
    falling = Heartbeat(record.session_id, chain.harness.head.number - 1, chain.now_s(), 499)
    assert _failures(chain.message(HEARTBEAT_TOPIC, encode(falling))[1]) == [
        "computation.bad_heartbeat"
    ]
    assert cst.SESSIONS.get(chain.harness.state(), session).iterations == 500


def test_a_settlement_from_a_worker_is_refused(chain: Mining) -> None:
    """Only the gatekeepers' master key settles; a worker's signed update changes nothing."""
    chain.publish_master()
    session = chain.start_computing()
    update = WorkingInfoUpdate(
        chain.harness.head.number,
        [WORKER.public_key],
        [],
        [SettleInfo(WORKER.public_key, 1, PHA, 0)],
    )
    error, events = chain.message(SETTLE_TOPIC, encode(update))
    refused = error is not None or _failures(events) == ["computation.not_gatekeeper"]
    assert refused, (error, events)
    record = cst.SESSIONS.get(chain.harness.state(), session)
    assert record.state is SessionState.WORKER_IDLE and record.total_reward == 0


def test_a_score_below_the_minimum_can_be_measured_again(chain: Mining) -> None:
    """A zeroed benchmark is not final: re-registering orders a new one and its report counts.

    (A relayer that withheld blocks used to leave a worker at score 0 forever: a second report
    was refused and re-registration kept the score.) Phala re-benchmarks at every
    re-registration; khala does so while the score is below the minimum to compute.
    """
    start = chain.now_s() + 2 - 10
    chain.message(BENCH_REPORT_TOPIC, encode(BenchReport(start, 0)))
    assert rst.WORKERS.get(chain.harness.state(), WORKER.public_key).initial_score == 0
    info = chain.info()
    error, _ = chain.register(info, chain.attestation(info))
    assert error is None
    outbound = mq_state.OUTBOUND.get(chain.harness.state())
    assert [decode(BenchStart, m.payload) for m in outbound if m.destination == BENCH_START_TOPIC]
    start = chain.now_s() + 2 - 10
    error, events = chain.message(BENCH_REPORT_TOPIC, encode(BenchReport(start, 5_000)))
    assert error is None and BenchmarkReported(WORKER.public_key, 3_000) in events
    assert rst.WORKERS.get(chain.harness.state(), WORKER.public_key).initial_score == 3_000
    info = chain.info()
    chain.register(info, chain.attestation(info))
    outbound = mq_state.OUTBOUND.get(chain.harness.state())
    assert not [m for m in outbound if m.destination == BENCH_START_TOPIC]  # good enough: kept
