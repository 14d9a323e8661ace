"""Phat contracts dispatch errors (with declared on-chain indices)."""

from __future__ import annotations

from khala.runtime.errors import DispatchError, ModuleErrorCode
from khala.runtime.modules.phat.constants import MODULE_INDEX


class PhatErrorCode(ModuleErrorCode):
    """Phat contracts error codes."""

    CLUSTER_NOT_FOUND = "phat.cluster_not_found", 0
    """No cluster with that id (``khala contract clusters`` lists them)."""
    CLUSTER_PERMISSION_DENIED = "phat.cluster_permission_denied", 1
    """The cluster only lets its owner deploy, or only its owner or governance change it."""
    CODE_NOT_FOUND = "phat.code_not_found", 2
    """That code was not uploaded to that cluster; upload it first."""
    CODE_TOO_LARGE = "phat.code_too_large", 3
    """The wasm is larger than 128 KiB."""
    DUPLICATED_CONTRACT = "phat.duplicated_contract", 4
    """A contract with that deployer, code, cluster and salt exists; use another salt."""
    CONTRACT_NOT_FOUND = "phat.contract_not_found", 5
    """No contract at that address."""
    NO_WORKER_SPECIFIED = "phat.no_worker_specified", 6
    """A cluster needs at least one worker."""
    WORKER_NOT_FOUND = "phat.worker_not_found", 7
    """The worker is not registered."""
    WORKER_IS_BUSY = "phat.worker_is_busy", 8
    """The worker already serves a cluster; remove it there first."""
    WORKER_NOT_IN_CLUSTER = "phat.worker_not_in_cluster", 9
    """The worker does not serve that cluster."""
    PAYLOAD_TOO_LARGE = "phat.payload_too_large", 10
    """A command, constructor input or salt exceeds its limit."""
    MALFORMED_MESSAGE = "phat.malformed_message", 11
    """A key publication, report or contract event did not decode or names no cluster/contract."""
    TOO_MANY_WORKERS = "phat.too_many_workers", 12
    """A cluster holds at most 64 workers."""
    INSTANTIATION_FAILED = "phat.instantiation_failed", 13
    """The contract's constructor failed: it does not exist in its cluster."""


def phat_error(code: PhatErrorCode, message: str) -> DispatchError:
    """Build a phat contracts dispatch error."""
    return DispatchError(code, message, module_index=MODULE_INDEX)
