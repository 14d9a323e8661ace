"""Democracy's block hook: launch at each launch period, tally referenda that end."""

from __future__ import annotations

from khala.runtime.context import Context
from khala.runtime.modules.democracy import referenda
from khala.runtime.state import State


def on_initialize(state: State, ctx: Context) -> None:
    """At every launch period table the next proposal; then tally what ends in this block."""
    now = ctx.env.number
    if now and now % ctx.config.democracy_launch_blocks == 0:
        referenda.launch_next(state, ctx)
    referenda.bake_due(state, ctx)
