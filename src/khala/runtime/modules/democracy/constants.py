"""Democracy constants."""

from khala.runtime.modules.balances.constants import EXISTENTIAL_DEPOSIT

MODULE_INDEX = 14
"""Module index of democracy."""
MODULE_NAME = "Democracy"
"""Storage prefix name."""
LOCK_ID = b"democrac"
"""The balance lock holding voted (and conviction-locked) PHA (FRAME's ``DEMOCRACY_ID``)."""
MINIMUM_DEPOSIT = 1_000 * EXISTENTIAL_DEPOSIT
"""Least deposit to propose, and what each second reserves (10 PHA): proposals cost enough
that the queue is not spammed, and come back when the proposal is tabled."""
MAX_PROPOSALS = 100
"""Public proposals waiting at once (FRAME's ``MaxProposals``)."""
MAX_VOTES = 100
"""Referenda one account may have votes on at once (FRAME's ``MaxVotes``)."""
MAX_DEPOSITS = 100
"""Seconds one proposal may collect (FRAME's ``MaxDeposits``)."""
CALL_WEIGHT = 300_000_000
"""Weight (ps) of a democracy call."""
ENACTMENT_TASK_PREFIX = b"democrac"
"""Enactment tasks are named ``democrac`` + the referendum index (little-endian u32), so
``cancel_referendum`` can find a passed referendum's pending enactment."""
