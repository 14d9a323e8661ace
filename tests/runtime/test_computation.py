"""Computation sessions: bind, start (S_min, Ve ≤ Vmax, score, fair launch), stop, reclaim."""

from __future__ import annotations

from typing import Any

import pytest

from khala.primitives.fixed_point import U64F64
from khala.primitives.scale import Err, decode
from khala.runtime.dispatch import module_error_code
from khala.runtime.modules.computation import events as ev
from khala.runtime.modules.computation import state as st
from khala.runtime.modules.computation.calls import (
    Bind,
    Reclaim,
    SetHeartbeatPaused,
    SetMiningEnabled,
    StartComputing,
    StopComputing,
    Unbind,
    UpdateTokenomicParameters,
)
from khala.runtime.modules.computation.challenge import U256_MAX
from khala.runtime.modules.computation.constants import CHALLENGE_TOPIC
from khala.runtime.modules.computation.sessions import session_account
from khala.runtime.modules.computation.tokenomics import GEMINI
from khala.runtime.modules.computation.types import HeartbeatChallenge, SessionState
from khala.runtime.modules.mq.state import OUTBOUND
from khala.runtime.modules.registry.state import WORKERS
from khala.runtime.modules.registry.types import AttestationProvider, WorkerInfo
from khala.runtime.modules.sudo.calls import Sudo
from khala.runtime.modules.sudo.events import Sudid
from khala.runtime.modules.system.events import ExtrinsicFailed
from khala.runtime.types import ModuleDispatchError
from tests.runtime.harness import PHA, Harness, ed

ALICE = ed("Alice")
OWNER = ed("Owner")
STRANGER = ed("Stranger")
FAST = b"\x01" * 32
SLOW = b"\x02" * 32
UNSCORED = b"\x03" * 32


def _worker(pubkey: bytes, score: int | None, operator: bytes) -> WorkerInfo:
    return WorkerInfo(pubkey, b"\x09" * 32, 1, 0, operator, AttestationProvider.DCAP, 1, score, [])


def _code(error: Any) -> str:
    if isinstance(error, ModuleDispatchError):
        return module_error_code(error.error.index, error.error.error[0])
    return type(error).__name__


class Chain:
    """A dev chain with three registered workers operated by ``OWNER``."""

    def __init__(self) -> None:
        workers = {FAST: 2000, SLOW: 10, UNSCORED: None}
        extra = {
            WORKERS.key_of(key): WORKERS.value_codec.encode(_worker(key, score, OWNER.public_key))
            for key, score in workers.items()
        }
        endowed = {
            ALICE.public_key: 1000 * PHA,
            OWNER.public_key: 100_000 * PHA,
            STRANGER.public_key: 100 * PHA,
        }
        self.harness = Harness(endowed, sudo=ALICE.public_key, genesis_extra=extra)
        self.nonces: dict[bytes, int] = {}

    def submit(self, call: Any, signer: Any = OWNER) -> str | None:
        nonce = self.nonces.get(signer.public_key, 0)
        self.nonces[signer.public_key] = nonce + 1
        self.harness.block([self.harness.sign(signer, call, nonce=nonce)])
        for event in self.harness.events():
            if isinstance(event, ExtrinsicFailed):
                return _code(event.dispatch_error)
            if isinstance(event, Sudid) and isinstance(event.sudo_result, Err):
                return _code(event.sudo_result.error)
        return None

    def call(self, inner: Any, signer: Any = OWNER) -> str | None:
        return self.submit(inner, signer)

    def root(self, inner: Any) -> str | None:
        return self.submit(Sudo(inner), ALICE)

    def session(self, worker: bytes) -> Any:
        return st.SESSIONS.get(self.harness.state(), session_account(OWNER.public_key, worker))

    def reserved(self) -> int:
        return self.harness.account(OWNER).data.reserved


@pytest.fixture
def chain() -> Chain:
    return Chain()


def test_start_fails_until_mining_is_enabled(chain: Chain) -> None:
    """The fair-launch switch: false at genesis, start_computing refused until it is set."""
    assert chain.call(Bind(FAST)) is None
    assert chain.call(StartComputing(FAST, 3000 * PHA)) == "computation.mining_not_enabled"
    assert chain.root(SetMiningEnabled(True)) is None
    assert chain.call(StartComputing(FAST, 3000 * PHA)) is None
    assert chain.session(FAST).state is SessionState.WORKER_IDLE


def test_full_session_life_returns_the_stake_exactly(chain: Chain) -> None:
    """Bind → start → stop → (cool-down) → reclaim by a stranger → unbind."""
    chain.root(SetMiningEnabled(True))
    free_before = chain.harness.free(OWNER)
    chain.call(Bind(FAST))
    stake = 3000 * PHA + 123_456_789
    assert chain.call(StartComputing(FAST, stake)) is None
    started = next(e for e in chain.harness.events() if isinstance(e, ev.SessionStarted))
    # Ve = (1 + 1·(1.5 − 1))·(3000.000123456789 + 0.4498·2000) = 1.5 · 3899.600123456789
    #    = 5849.4001851851835 (U64F64 truncation only touches digits far below the 9th)
    assert started.init_v.to_decimal(9) == "5849.400185185"
    assert chain.reserved() == stake
    assert st.ONLINE_WORKERS.get(chain.harness.state()) == 1
    assert chain.call(Reclaim(FAST), STRANGER) == "computation.not_cooling_down"
    assert chain.call(StopComputing(FAST)) is None
    assert chain.session(FAST).state is SessionState.WORKER_COOLING_DOWN
    assert st.ONLINE_WORKERS.get(chain.harness.state()) == 0
    assert chain.call(Reclaim(FAST), STRANGER) == "computation.cool_down_not_ready"
    assert chain.call(Unbind(FAST)) == "computation.not_ready"
    for _ in range(chain.harness.preset.cool_down_secs // 2):  # 2 s blocks
        chain.harness.block([])
    assert chain.call(Reclaim(FAST), STRANGER) is None
    assert chain.reserved() == 0
    fees = free_before - chain.harness.free(OWNER)
    assert 0 < fees < PHA  # only transaction fees left the owner's free balance
    assert chain.session(FAST).state is SessionState.READY
    assert chain.call(Unbind(FAST)) is None
    assert st.WORKER_BINDINGS.get(chain.harness.state(), FAST) is None


@pytest.mark.parametrize(
    ("worker", "stake", "expected"),
    [
        (SLOW, 1000 * PHA, "computation.score_too_low"),
        (UNSCORED, 1000 * PHA, "computation.benchmark_missing"),
        # S_min = 50·√2000 = 2236.07 PHA
        (FAST, 2236 * PHA, "computation.insufficient_stake"),
        # Ve = 1.5·(S + 899.6) ≤ 30000 ⇔ S ≤ 19100.4 PHA
        (FAST, 19101 * PHA, "computation.too_much_stake"),
        (FAST, 19100 * PHA, None),
        (FAST, 2237 * PHA, None),
    ],
)
def test_admission_rules(chain: Chain, worker: bytes, stake: int, expected: str | None) -> None:
    """Score ≥ 50, a reported benchmark, S_min = k·√P and Ve ≤ Vmax."""
    chain.root(SetMiningEnabled(True))
    chain.call(Bind(worker))
    assert chain.call(StartComputing(worker, stake)) == expected


def test_only_the_operator_binds_and_starts(chain: Chain) -> None:
    """Binding needs the registered operator; a bound worker is not bound twice."""
    chain.root(SetMiningEnabled(True))
    assert chain.call(Bind(FAST), STRANGER) == "computation.not_operator"
    assert chain.call(Bind(b"\x07" * 32)) == "computation.worker_not_registered"
    assert chain.call(Bind(FAST)) is None
    assert chain.call(Bind(FAST)) == "computation.duplicate_bound_worker"
    assert chain.call(StartComputing(SLOW, PHA)) == "computation.worker_not_bound"
    assert chain.call(StopComputing(FAST)) == "computation.not_computing"


def test_each_block_challenges_computing_workers(chain: Chain) -> None:
    """With one worker computing, every block sends a challenge; pausing stops them."""
    chain.harness.block([])
    assert OUTBOUND.get(chain.harness.state()) == []  # nobody computes
    chain.root(SetMiningEnabled(True))
    chain.call(Bind(FAST))
    chain.call(StartComputing(FAST, 3000 * PHA))
    messages = [m for m in OUTBOUND.get(chain.harness.state()) if m.destination == CHALLENGE_TOPIC]
    assert len(messages) == 1
    challenge = decode(HeartbeatChallenge, messages[0].payload)
    # dev: N = 1, 2 s blocks, 360/hour → max_tx = 0.2 → f = floor(0.2·2^24) = 3,355,443
    assert challenge.online_target == (U256_MAX >> 24) * 3_355_443
    chain.harness.block([])
    following = decode(HeartbeatChallenge, OUTBOUND.get(chain.harness.state())[0].payload)
    assert following.seed != challenge.seed
    chain.root(SetHeartbeatPaused(True))
    assert OUTBOUND.get(chain.harness.state()) == []


def test_tokenomic_parameters_apply_at_block_end(chain: Chain) -> None:
    """Governance's new parameters are in force after the block; bad ones are refused."""
    doubled = GEMINI.__class__(
        **{
            **{f: getattr(GEMINI, f) for f in GEMINI.__dataclass_fields__},
            "k": U64F64.from_int(100),
        }
    )
    assert chain.root(UpdateTokenomicParameters(doubled)) is None
    assert st.TOKENOMIC_PARAMETERS.get(chain.harness.state()).k == U64F64.from_int(100)
    assert any(isinstance(e, ev.TokenomicParametersChanged) for e in chain.harness.events())
    bad = GEMINI.__class__(
        **{**{f: getattr(GEMINI, f) for f in GEMINI.__dataclass_fields__}, "rho": U64F64(0)}
    )
    assert chain.root(UpdateTokenomicParameters(bad)) == "computation.invalid_parameters"


def test_governance_switches_are_root_only(chain: Chain) -> None:
    """A signed account cannot enable mining."""
    assert chain.call(SetMiningEnabled(True)) == "BadOriginError"
    assert st.MINING_ENABLED.get(chain.harness.state()) is False
