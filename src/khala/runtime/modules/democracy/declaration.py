"""Democracy's declaration for the runtime table (:mod:`khala.runtime.table`)."""

from __future__ import annotations

from khala.primitives.scale import U32
from khala.runtime.module import Constant, RuntimeModule
from khala.runtime.modules import democracy
from khala.runtime.modules.democracy import (
    calls,
    constants,
    errors,
    events,
    handlers,
    hooks,
    state,
)
from khala.runtime.types import Balance, BlockNumber

MODULE = RuntimeModule(
    index=constants.MODULE_INDEX,
    name=constants.MODULE_NAME,
    docs=democracy.__doc__ or "",
    calls=calls.Call,
    handlers=handlers.CALLS,
    events=events.Event,
    errors=errors.DemocracyErrorCode,
    on_initialize=hooks.on_initialize,
    state=state,
    constants=(
        Constant(
            "LaunchPeriod",
            BlockNumber,
            lambda preset: preset.democracy_launch_blocks,
            "Blocks between referendum launches.",
        ),
        Constant(
            "VotingPeriod",
            BlockNumber,
            lambda preset: preset.democracy_voting_blocks,
            "How long a referendum is open.",
        ),
        Constant(
            "FastTrackVotingPeriod",
            BlockNumber,
            lambda preset: preset.democracy_fast_track_blocks,
            "The shortest voting period of a fast-tracked referendum.",
        ),
        Constant(
            "EnactmentPeriod",
            BlockNumber,
            lambda preset: preset.democracy_enactment_blocks,
            "Blocks from a public referendum passing to its enactment.",
        ),
        Constant(
            "VoteLockingPeriod",
            BlockNumber,
            lambda preset: preset.democracy_lock_blocks,
            "One conviction lock period.",
        ),
        Constant("MinimumDeposit", Balance, constants.MINIMUM_DEPOSIT, "Least proposal deposit."),
        Constant("MaxVotes", U32, constants.MAX_VOTES, "Referenda one account may vote on."),
        Constant("MaxProposals", U32, constants.MAX_PROPOSALS, "Public proposals waiting."),
    ),
)
"""Democracy's entry in the runtime table."""
