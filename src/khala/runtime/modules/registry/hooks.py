"""Registry has no block hooks; its genesis trusts root CAs and allows measurements."""

from __future__ import annotations

from typing import Any

from khala.runtime.modules.registry.state import MEASUREMENTS, TRUSTED_ROOTS
from khala.runtime.state import State


def build_genesis(state: State, config: Any) -> None:
    """Store the genesis root CAs and measurement allow-list, when given."""
    if config.trusted_roots:
        TRUSTED_ROOTS.put(state, list(config.trusted_roots))
    if config.measurements:
        MEASUREMENTS.put(state, list(config.measurements))
