"""Shared fixtures: the location of the real-world vectors and hypothesis profiles."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from xdist.scheduler import LoadScopeScheduling

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


# `make test` runs pytest on two workers (pytest-xdist). The integration tests run real
# processes and hold loopback ports: they go in two groups, each run by one worker in module
# order, so at most two of them run at once and the ones that prefer the well-known ports (the
# devnet and the local cluster: 9944, 8080, 2379) never run at the same time. The in-process
# tests fill in around them. The groups are balanced by measured durations. (xdist's own
# ``xdist_group`` marks do not take effect under pytest 9, hence the scheduler below.)
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


def integration_group(nodeid: str) -> str | None:
    """The group of an integration test's node id (None for any other test)."""
    module = nodeid.split("::", maxsplit=1)[0]
    if not module.startswith("tests/integration/"):
        return None
    stem = Path(module).stem
    return next(
        (f"integration-{name}" for name, mods in INTEGRATION_GROUPS.items() if stem in mods), None
    )


class GroupScheduling(LoadScopeScheduling):
    """xdist's load-by-scope scheduling where an integration group is one scope."""

    def _split_scope(self, nodeid: str) -> str:
        return integration_group(nodeid) or nodeid


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> GroupScheduling:
    """Schedule with :class:`GroupScheduling` when running on several workers."""
    return GroupScheduling(config, log)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Fail loudly for an integration test module that is in no group."""
    for item in items:
        if (
            item.nodeid.startswith("tests/integration/test_")
            and integration_group(item.nodeid) is None
        ):
            raise pytest.UsageError(f"{item.nodeid} is in no integration group (tests/conftest.py)")
