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


# `make test` runs pytest on two workers (pytest-xdist, --dist loadgroup). The integration
# tests run real processes and hold loopback ports: they go in two groups, each run by one
# worker in order, so at most two of them run at once and the ones that prefer the well-known
# ports (the devnet and the local cluster: 9944, 8080, 2379) never run at the same time. The
# in-process tests fill in around them. The groups are balanced by measured durations.
INTEGRATION_GROUPS = {
    "a": {
        "test_devnet", "test_cluster_process", "test_pool_process", "test_governance_cli",
        "test_sync_process", "test_registration_process", "test_guards_process",
    },
    "b": {
        "test_launch_day", "test_mining_process", "test_pool_cli", "test_gov_cli",
        "test_vesting_cli", "test_node_process", "test_substrate_tools", "test_mining_guide",
    },
}  # fmt: skip


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put each integration test module in its xdist group (a module in none fails loudly).

    ``tryfirst``: xdist's worker turns the marks into group suffixes in its own hook, which
    would otherwise run before this one (this conftest is loaded before xdist's worker).
    """
    for item in items:
        path = Path(str(item.fspath))
        if path.parent.name != "integration":
            continue
        group = next((name for name, mods in INTEGRATION_GROUPS.items() if path.stem in mods), None)
        if group is None:
            raise pytest.UsageError(f"{path.name} is in no integration group (tests/conftest.py)")
        item.add_marker(pytest.mark.xdist_group(f"integration-{group}"))
