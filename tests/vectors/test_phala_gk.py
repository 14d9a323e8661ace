"""Phala's gatekeeper tests (``gk.rs``), replayed through khala's gatekeeper, bit for bit.

Each scenario drives :class:`GatekeeperEconomics` with the messages Phala's test dispatches
(session start, a challenge aimed at one worker, heartbeats), one block at a time with Phala's
12 s block times, and compares V, P, payouts and the reported offline / recovered lists with
the numbers in ``phala_gk.json`` (copied from the Phala test named in each vector).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from khala.offchain.gatekeeper import GatekeeperEconomics
from khala.primitives.fixed_point import U64F64
from khala.primitives.hashing import blake2_256
from khala.primitives.scale import encode
from khala.runtime.modules.computation.challenge import instant_performance
from khala.runtime.modules.computation.constants import (
    CHALLENGE_TOPIC,
    HEARTBEAT_TOPIC,
    PALLET_ID,
    WORKER_EVENT_TOPIC,
)
from khala.runtime.modules.computation.tokenomics import GEMINI, TokenomicParameters
from khala.runtime.modules.computation.types import (
    ComputingStarted,
    ComputingStopped,
    Heartbeat,
    HeartbeatChallenge,
    WorkingInfoUpdate,
)
from khala.runtime.modules.mq.types import Message, PalletOrigin, WorkerOrigin

VECTORS = json.loads((Path(__file__).parent / "phala_gk.json").read_text())
F = U64F64.from_decimal
WORKER = b"\x01" * 32
SECS = VECTORS["block_ms"] // 1000
PALLET = PalletOrigin(PALLET_ID)


def _params() -> TokenomicParameters:
    raw = VECTORS["params"]
    fields = {k: F(v) for k, v in raw.items() if k != "heartbeat_window"}
    return replace(GEMINI, heartbeat_window=raw["heartbeat_window"], **fields)


class Replay:
    """One worker in front of a gatekeeper's replay, block by block."""

    def __init__(self) -> None:
        self.gk = GatekeeperEconomics(_params())
        self.block = 0
        self.updates: list[WorkingInfoUpdate] = []

    def run(self, block: int, messages: list[Message] | None = None) -> WorkingInfoUpdate | None:
        self.block = block
        update = self.gk.process_block(block, block * SECS, messages or [])
        if update is not None:
            self.updates.append(update)
        return update

    def run_through(self, last: int) -> None:
        while self.block < last:
            self.run(self.block + 1)

    @property
    def worker(self) -> Any:
        worker = self.gk.engine.workers[WORKER]
        self.gk.engine.advance(worker, self.block)
        return worker


def _started(session_id: int, init_v: U64F64, init_p: int, level: int = 2) -> Message:
    event = ComputingStarted(WORKER, session_id, init_v, init_p, level)
    return Message(PALLET, WORKER_EVENT_TOPIC, encode(event))


def _stopped(session_id: int) -> Message:
    return Message(PALLET, WORKER_EVENT_TOPIC, encode(ComputingStopped(WORKER, session_id)))


def _challenge() -> Message:
    """Phala's ``challenge()``: the seed is the worker's key hash, the target zero."""
    seed = int.from_bytes(blake2_256(WORKER), "big")
    return Message(PALLET, CHALLENGE_TOPIC, encode(HeartbeatChallenge(seed, 0)))


def _heartbeat(session_id: int, challenge_block: int, iterations: int) -> Message:
    beat = Heartbeat(session_id, challenge_block, challenge_block * SECS, iterations)
    return Message(WorkerOrigin(WORKER), HEARTBEAT_TOPIC, encode(beat))


def _start(replay: Replay, spec: dict[str, Any], *extra: Message) -> None:
    started = _started(1, F(spec["init_v"]), spec["init_p"], spec["confidence_level"])
    replay.run(spec["block"], [started, *extra])


def test_check_tokenomic_numerics() -> None:
    """V after a start block and a day idle; the payout, P and treasury; an hour's slash."""
    vector = VECTORS["check_tokenomic_numerics"]
    replay = Replay()
    _start(replay, vector["start"])
    assert replay.worker.p_bench == F("100")
    assert replay.worker.v == F(vector["v_after_start_block"])
    replay.run_through(vector["start"]["block"] + vector["idle_blocks"])
    assert replay.worker.v == F(vector["v_after_a_day"])
    beat = vector["heartbeat"]
    replay.run(beat["challenge_block"], [_challenge()])
    assert replay.worker.challenge_time_last == vector["challenge_time_last_ms_before_heartbeat"]
    assert replay.worker.iteration_last == 0
    update = replay.run(beat["block"], [_heartbeat(1, beat["challenge_block"], beat["iterations"])])
    assert replay.worker.v == F(vector["v_after_payout"])
    assert replay.worker.p_instant == F(vector["p_instant"])
    assert update is not None and len(update.settle) == 1
    settled = replay.gk.settlements[0]
    assert (settled.payout_pha, settled.treasury_pha) == (
        F(vector["payout"]),
        F(vector["treasury"]),
    )
    assert (update.settle[0].payout, update.settle[0].treasury) == (
        _planck(settled.payout_pha),
        _planck(settled.treasury_pha),
    )
    slash = vector["slash"]
    replay.run(slash["challenge_block"], [_challenge()])
    replay.run_through(slash["offline_at"] - 1)
    assert replay.updates[-1].block_number == beat["block"]
    replay.run(slash["offline_at"])
    assert replay.updates[-1] == WorkingInfoUpdate(slash["offline_at"], [WORKER], [], [])
    replay.run_through(slash["last_block"])
    assert replay.worker.v == F(vector["v_after_slash"])
    assert replay.updates[-1].block_number == slash["offline_at"]


def test_payout_at_v_max() -> None:
    """At the cap the deductible still grows, so the payout lowers V below Vmax."""
    vector = VECTORS["should_payout_at_v_max"]
    replay = Replay()
    _start(replay, vector["start"])
    beat = vector["heartbeat"]
    replay.run_through(beat["challenge_block"] - 1)
    assert replay.worker.v == F("30000")
    replay.run(beat["challenge_block"], [_challenge()])
    update = replay.run(beat["block"], [_heartbeat(1, beat["challenge_block"], beat["iterations"])])
    assert replay.worker.v == F(vector["v_after_payout"])
    assert replay.worker.v_deductible == F(vector["v_deductible_after_payout"])
    assert update is not None
    assert replay.gk.settlements[0].payout_pha == F(vector["payout"])
    assert update.settle[0].payout == _planck(F(vector["payout"]))


def test_update_p_instant() -> None:
    """P per 6 s from the last challenge time; a count that went backwards measures zero."""
    vector = VECTORS["test_update_p_instant"]
    p_bench = F(vector["p_bench"])
    p, last_time, last_iterations = U64F64(0), 0, 0
    for step in vector["steps"]:
        p = instant_performance(
            p_bench, p, last_iterations, last_time, step["iterations"], step["now_ms"]
        )
        assert p == F(step["p_instant"])
        last_time = step.get("then_challenge_time_last_ms", last_time)
        last_iterations = step.get("then_iteration_last", step["iterations"])


def _case_replay() -> tuple[Replay, dict[str, Any]]:
    vector = VECTORS["cases"]
    replay = Replay()
    start = vector["start"]
    started = _started(1, U64F64.from_int(1), start["init_p"], start["confidence_level"])
    replay.run(start["block"], [started, _challenge()])
    return replay, vector


def test_case1_idle_worker_is_rewarded_silently() -> None:
    replay, _ = _case_replay()
    v = replay.worker.v
    assert replay.run(3) is None
    assert replay.worker.v > v


def test_case2_heartbeat_before_the_timeout_is_paid() -> None:
    replay, vector = _case_replay()
    window = replay.gk.params.heartbeat_window
    replay.run_through(vector["challenge_block"] + window - 1)
    v = replay.worker.v
    update = replay.run(
        vector["challenge_block"] + window,
        [_heartbeat(1, vector["challenge_block"], vector["heartbeat_iterations"])],
    )
    assert update is not None
    assert (update.offline, update.recovered_to_online, len(update.settle)) == ([], [], 1)
    assert replay.worker.v < v


def test_case3_and_4_offline_at_window_plus_one_then_slashed_silently() -> None:
    replay, vector = _case_replay()
    window = replay.gk.params.heartbeat_window
    assert replay.run_through(vector["challenge_block"] + window) is None
    v = replay.worker.v
    offline_at = vector["challenge_block"] + window + 1
    assert replay.run(offline_at) == WorkingInfoUpdate(offline_at, [WORKER], [], [])
    assert replay.worker.v < v
    for _ in range(2):
        v = replay.worker.v
        assert replay.run(replay.block + 1) is None
        assert replay.worker.v < v


def test_case5_recovery_is_reported_without_slash_reward_or_settlement() -> None:
    replay, vector = _case_replay()
    window = replay.gk.params.heartbeat_window
    replay.run_through(vector["challenge_block"] + window + 1)
    replay.worker.v_deductible = U64F64.from_int(7)  # Phala resets it on recovery
    v = replay.worker.v
    block = replay.block + 1
    beat = _heartbeat(1, vector["challenge_block"], vector["heartbeat_iterations"])
    assert replay.run(block, [beat]) == WorkingInfoUpdate(block, [], [WORKER], [])
    assert replay.worker.v == v
    assert replay.worker.v_deductible == U64F64(0)


def test_heartbeats_across_sessions() -> None:
    """An old session's heartbeat is ignored; the current session's recovers the worker."""
    vector = VECTORS["cross_session"]
    replay = Replay()
    first, second = vector["sessions"]
    replay.run(first["start"], [_started(1, U64F64(1), 100), _challenge()])
    replay.run(first["stop"], [_stopped(1)])
    replay.run_through(second["start"] - 1)
    replay.run(second["start"], [_started(2, U64F64(1), 100), _challenge()])
    replay.run_through(vector["unresponsive_at"])
    assert WORKER in {key for u in replay.updates for key in u.offline}
    old = vector["old_session_heartbeat"]
    iterations = vector["iterations"]
    beat = _heartbeat(old["session_id"], old["challenge_block"], iterations)
    assert replay.run(old["block"], [beat]) is None
    current = vector["heartbeat"]
    beat = _heartbeat(current["session_id"], current["challenge_block"], iterations)
    assert replay.run(current["block"], [beat]) == WorkingInfoUpdate(
        current["block"], [], [WORKER], []
    )


def _planck(amount: U64F64) -> int:
    """Phala's chain-side conversion of reported bits (``FixedPointConvert::from_bits``).

    To U80F48 (dropping 16 bits), times 10¹², truncated to an integer.
    """
    return ((amount.bits >> 16) * 10**12) >> 48
