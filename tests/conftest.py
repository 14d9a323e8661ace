"""Shared fixtures: the location of the real-world vectors and hypothesis profiles."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

REPO_ROOT = Path(__file__).resolve().parent.parent

# The machine behaves like about one core: no per-example deadlines, moderate example counts.
settings.register_profile(
    "default", deadline=None, max_examples=100, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci", deadline=None, max_examples=100, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("ci" if os.environ.get("CI") else "default")


def shared_dir() -> Path:
    """Return the shared vectors folder: $KHALA_SHARED or ../shared beside the repository."""
    return Path(os.environ.get("KHALA_SHARED", REPO_ROOT.parent / "shared")).resolve()


@pytest.fixture(scope="session")
def shared() -> Path:
    """The shared vectors folder; a missing folder is an error, never a skip."""
    path = shared_dir()
    if not (path / "chainspecs").is_dir():
        pytest.fail(f"shared vectors not found at {path}; set KHALA_SHARED")
    return path
