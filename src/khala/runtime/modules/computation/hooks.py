"""Computation's hooks: new parameters take effect, then the block's heartbeat challenge."""

from __future__ import annotations

from typing import Any

from khala.primitives.scale import encode
from khala.runtime.context import Context
from khala.runtime.modules.balances import currency
from khala.runtime.modules.computation import events as ev
from khala.runtime.modules.computation import state as st
from khala.runtime.modules.computation.challenge import challenge_seed, online_target
from khala.runtime.modules.computation.constants import CHALLENGE_TOPIC, PALLET_ID, SUBSIDY_ACCOUNT
from khala.runtime.modules.computation.tokenomics import GEMINI
from khala.runtime.modules.computation.types import HeartbeatChallenge
from khala.runtime.modules.mq.calls import send
from khala.runtime.state import State


def on_finalize(state: State, ctx: Context) -> HeartbeatChallenge | None:
    """Apply scheduled tokenomic parameters, then challenge the computing workers.

    No challenge is sent while heartbeats are paused or nobody computes. Returns the challenge
    sent, if any.
    """
    update = st.SCHEDULED_TOKENOMIC_UPDATE.get(state)
    if update is not None:
        st.TOKENOMIC_PARAMETERS.put(state, update)
        st.SCHEDULED_TOKENOMIC_UPDATE.kill(state)
        ctx.emit(ev.TokenomicParametersChanged())
    workers = st.ONLINE_WORKERS.get(state)
    if st.HEARTBEAT_PAUSED.get(state) or workers == 0:
        return None
    params = st.TOKENOMIC_PARAMETERS.get(state)
    challenge = HeartbeatChallenge(
        seed=challenge_seed(ctx.env.parent_hash, ctx.env.number),
        online_target=online_target(
            workers,
            ctx.config.block_time_ms // 1000,
            params.expected_heartbeats,
            ctx.config.heartbeats_per_hour,
        ),
    )
    send(state, ctx, PALLET_ID, CHALLENGE_TOPIC, encode(challenge))
    return challenge


def build_genesis(state: State, config: Any) -> None:
    """Fund the mining subsidy, set Gemini's tokenomic parameters and the fair-launch switch."""
    if config.mining_subsidy:
        currency.mint(state, None, SUBSIDY_ACCOUNT, config.mining_subsidy)
    st.TOKENOMIC_PARAMETERS.put(state, GEMINI)
    st.MINING_ENABLED.put(state, config.mining_enabled)


STORAGE_VERSION = 1
"""Computation's storage layout version (1: the parameters and the switch are stored)."""


def on_runtime_upgrade(state: State, ctx: Context, on_chain: int) -> None:
    """Migrate computation's storage from version ``on_chain``.

    Arriving by a runtime upgrade (version 0) stores Gemini's tokenomic parameters and the
    fair-launch switch, off, as genesis would have; no subsidy is minted (the genesis config
    or the treasury funds the subsidy account).
    """
    del ctx
    if on_chain < 1:
        if state.get(st.TOKENOMIC_PARAMETERS.key) is None:
            st.TOKENOMIC_PARAMETERS.put(state, GEMINI)
        st.MINING_ENABLED.put(state, False)
