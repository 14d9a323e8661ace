"""Mining end to end in memory: chain, two workers' state machines, a gatekeeper's replay.

Every block's outbound messages go to the workers (who answer challenges with heartbeats) and
to the gatekeeper (whose settlements, signed by the master key, go back to the chain).
"""

from __future__ import annotations

from typing import Any

from khala.offchain.gatekeeper import GatekeeperEconomics
from khala.offchain.gatekeeper_state import EconomicsSnapshot, restore, snapshot
from khala.offchain.worker_state import WorkerStateMachine
from khala.primitives.crypto import Keypair, KeyScheme, keypair_from_seed
from khala.primitives.fixed_point import U64F64
from khala.primitives.scale import decode, encode
from khala.runtime.modules.balances.currency import free_balance
from khala.runtime.modules.computation import events as cev
from khala.runtime.modules.computation import state as cst
from khala.runtime.modules.computation.calls import Bind, SetMiningEnabled, StartComputing
from khala.runtime.modules.computation.constants import (
    CHALLENGE_TOPIC,
    HEARTBEAT_TOPIC,
    SETTLE_TOPIC,
    SUBSIDY_ACCOUNT,
)
from khala.runtime.modules.computation.tokenomics import GEMINI
from khala.runtime.modules.computation.types import Heartbeat, HeartbeatChallenge
from khala.runtime.modules.mq.calls import SyncOffchainMessage, signed_payload
from khala.runtime.modules.mq.state import OUTBOUND
from khala.runtime.modules.mq.types import (
    GatekeeperOrigin,
    Message,
    MessageOrigin,
    SignedMessage,
    WorkerOrigin,
)
from khala.runtime.modules.payment.constants import TREASURY_ACCOUNT
from khala.runtime.modules.registry.state import MASTER_PUBKEY, WORKERS
from khala.runtime.modules.registry.types import AttestationProvider, WorkerInfo
from khala.runtime.modules.sudo.calls import Sudo
from khala.runtime.modules.timestamp.state import now
from khala.runtime.modules.treasury import events as tev
from tests.runtime.harness import PHA, Harness, ed

ALICE = ed("Alice")
OWNER = ed("Owner")
MASTER = keypair_from_seed(KeyScheme.ED25519, b"\x42" * 32)
WORKERS_KEYS = [keypair_from_seed(KeyScheme.SR25519, bytes([n]) * 32) for n in (11, 12)]


class Host:
    """A worker's effects: a fake benchmark counter and an outbox of signed heartbeats."""

    def __init__(self, key: Keypair) -> None:
        self.key = key
        self.counter = 0
        self.outbox: list[bytes] = []
        self.online = True

    def iterations(self) -> int:
        return self.counter

    def counted_ms(self) -> int:
        return 0

    def bench_report(self, start_time: int, iterations: int) -> None:
        raise AssertionError("scores come from genesis in this test")

    def heartbeat(self, session_id: int, block: int, time_s: int, iterations: int) -> None:
        if self.online:
            self.outbox.append(encode(Heartbeat(session_id, block, time_s, iterations)))


class Network:
    def __init__(self) -> None:
        extra = {MASTER_PUBKEY.key: MASTER_PUBKEY.value_codec.encode(MASTER.public_key)}
        for key in WORKERS_KEYS:
            info = WorkerInfo(
                key.public_key,
                bytes(32),
                1,
                0,
                OWNER.public_key,
                AttestationProvider.DCAP,
                1,
                1000,
                [],
            )
            extra[WORKERS.key_of(key.public_key)] = WORKERS.value_codec.encode(info)
        endowed = {
            ALICE.public_key: 1000 * PHA,
            OWNER.public_key: 100_000 * PHA,
            SUBSIDY_ACCOUNT: 1_000_000 * PHA,
        }
        self.harness = Harness(endowed, sudo=ALICE.public_key, genesis_extra=extra)
        self.nonces: dict[bytes, int] = {}
        self.sequences: dict[Any, int] = {}
        self.hosts = {key.public_key: Host(key) for key in WORKERS_KEYS}
        self.machines = {key: WorkerStateMachine(key) for key in self.hosts}
        self.gatekeeper = GatekeeperEconomics(GEMINI)
        self.pending: list[bytes] = []
        self.events: list[Any] = []
        self.shadow: GatekeeperEconomics | None = None
        self.compared = 0

    def extrinsic(self, signer: Keypair, call: Any) -> None:
        nonce = self.nonces.get(signer.public_key, 0)
        self.nonces[signer.public_key] = nonce + 1
        self.pending.append(self.harness.sign(signer, call, nonce=nonce))

    def offchain(self, origin: MessageOrigin, key: Keypair, topic: bytes, payload: bytes) -> None:
        sequence = self.sequences.get(origin, 0)
        self.sequences[origin] = sequence + 1
        message = Message(origin, topic, payload)
        signed = SignedMessage(message, sequence, key.sign(signed_payload(message, sequence)))
        self.extrinsic(OWNER, SyncOffchainMessage(signed))

    def block(self) -> None:
        """Author a block with everything pending, then let workers and gatekeeper react."""
        self.harness.block(self.pending)
        self.pending = []
        state = self.harness.state()
        self.events.extend(self.harness.events())
        number, time_s = self.harness.head.number, now(state) // 1000
        messages = OUTBOUND.get(state)
        for host in self.hosts.values():
            host.counter += 1000
        for message in messages:
            if message.destination == CHALLENGE_TOPIC:
                challenge = decode(HeartbeatChallenge, message.payload)
                for key, machine in self.machines.items():
                    machine.on_challenge(
                        number, time_s, challenge.seed, challenge.online_target, self.hosts[key]
                    )
        update = self.gatekeeper.process_block(number, time_s, messages)
        if self.shadow is not None:
            again = self.shadow.process_block(number, time_s, messages)
            assert (None if again is None else encode(again)) == (
                None if update is None else encode(update)
            )
            self.compared += update is not None
        for key, host in self.hosts.items():
            for payload in host.outbox:
                self.offchain(WorkerOrigin(key), host.key, HEARTBEAT_TOPIC, payload)
            host.outbox.clear()
        if update is not None:
            self.offchain(GatekeeperOrigin(), MASTER, SETTLE_TOPIC, encode(update))


def _start_computing(net: Network) -> None:
    """Enable mining and start both workers (their machines learn session 1)."""
    net.extrinsic(ALICE, Sudo(SetMiningEnabled(True)))
    for key in WORKERS_KEYS:
        net.extrinsic(OWNER, Bind(key.public_key))
        net.extrinsic(OWNER, StartComputing(key.public_key, 3000 * PHA))
    net.block()
    for key, machine in net.machines.items():
        machine.on_started(1, net.hosts[key])


def test_heartbeats_settle_rewards_and_silence_turns_unresponsive() -> None:
    """Rewards accrue with 20 % to the treasury; a silent worker goes unresponsive, recovers."""
    net = Network()
    _start_computing(net)
    state = net.harness.state()
    treasury_start = free_balance(state, TREASURY_ACCOUNT)
    subsidy_start = free_balance(state, SUBSIDY_ACCOUNT)
    # Challenges hit each worker at random (the seed is the parent hash, and sr25519
    # signatures make block hashes differ from run to run): about 24 heartbeats in 60 blocks,
    # once as few as 9. Run until 10 arrived, at most 200 blocks (about 80 expected).
    for _ in range(200):
        net.block()
        settled = [e for e in net.events if isinstance(e, cev.SessionSettled)]
        beats = [e for e in net.events if isinstance(e, cev.HeartbeatReceived)]
        if len(beats) >= 10 and len(settled) >= 8:
            break
    assert len(beats) >= 10 and len(settled) >= 8
    paid = sum(e.payout for e in settled)
    state = net.harness.state()
    paid_out = subsidy_start - free_balance(state, SUBSIDY_ACCOUNT)
    treasury_share = paid_out - paid
    # treasury = budget·0.2 and payout = budget·0.8, each truncated to units
    assert paid > 0 and abs(treasury_share * 4 - paid) <= 4 * len(settled)
    burnt = sum(e.burnt_funds for e in net.events if isinstance(e, tev.Burnt))  # 1 % a period
    assert free_balance(state, TREASURY_ACCOUNT) - treasury_start + burnt >= treasury_share
    # Instant performance: 1000 iterations per 2 s block = 3000 per 6 s, capped at 1.2 × the
    # score 1000 (fp!(1.2) is just under 1.2, so 1199.99…). The gatekeeper measures from the
    # session start in U64F64; the chain records the integer part of its own measurement from
    # the previous heartbeat (the first heartbeat keeps the score).
    cap = U64F64.from_int(1000) * U64F64.from_decimal("1.2")
    for key in WORKERS_KEYS:
        session = cst.WORKER_BINDINGS.get(state, key.public_key)
        recorded = cst.SESSIONS.get(state, session).p_instant
        assert net.gatekeeper.engine.workers[key.public_key].p_instant == cap
        assert recorded in (1000, cap.to_int())
    assert any(
        cst.SESSIONS.get(state, cst.WORKER_BINDINGS.get(state, key.public_key)).p_instant == 1199
        for key in WORKERS_KEYS
    )

    # One worker goes silent: within heartbeat_window blocks of its next challenge it is
    # reported unresponsive and stops earning.
    silent = WORKERS_KEYS[0].public_key
    net.hosts[silent].online = False
    net.events.clear()
    for _ in range(80):
        net.block()
        if any(isinstance(e, cev.WorkerEnterUnresponsive) for e in net.events):
            break
    assert any(isinstance(e, cev.WorkerEnterUnresponsive) for e in net.events)
    session = cst.WORKER_BINDINGS.get(net.harness.state(), silent)
    assert cst.SESSIONS.get(net.harness.state(), session).state.name == "WORKER_UNRESPONSIVE"

    net.hosts[silent].online = True
    net.events.clear()
    for _ in range(80):
        net.block()
        if any(isinstance(e, cev.WorkerExitUnresponsive) for e in net.events):
            break
    assert cev.WorkerExitUnresponsive(session) in net.events


def test_a_restored_gatekeeper_continues_identically() -> None:
    """A gatekeeper restored from a SCALE snapshot emits byte-identical updates afterwards."""
    net = Network()
    _start_computing(net)
    net.hosts[WORKERS_KEYS[1].public_key].online = False  # so some challenges stay pending
    for _ in range(25):
        net.block()
    saved = decode(EconomicsSnapshot, encode(snapshot(net.gatekeeper)))
    assert any(record.pending for record in saved.workers)
    net.shadow = restore(saved, GEMINI)
    for _ in range(80):
        net.block()
    assert net.compared >= 3  # every one of them byte-identical (checked in ``block``)
