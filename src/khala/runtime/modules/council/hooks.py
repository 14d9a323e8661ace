"""Council genesis: the first members."""

from __future__ import annotations

from typing import Any

from khala.runtime.modules.council import state as st
from khala.runtime.state import State


def build_genesis(state: State, config: Any) -> None:
    """Seat the genesis config's council members (sorted, once each)."""
    if config.council:
        st.MEMBERS.put(state, sorted({bytes(member) for member in config.council}))
