"""The worker's operator: configuration sealed with the worker's identity, never a request field.

The operator (the account recorded in the worker's registration, who may bind it and start
computing) is chosen by whoever runs the worker, with ``--operator``. It is sealed in
``operator.sealed`` together with the identity key it belongs to, so a restart without
``--operator`` keeps it, and nothing a caller of the worker's API sends can change it.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import structlog

from khala.enclave.backend import EnclaveBackend
from khala.errors import KhalaError
from khala.service.files import write_atomic

log = structlog.get_logger("khala.worker")

OPERATOR_FILE = "operator.sealed"
"""File name of the sealed operator under the worker's base path."""
LABEL = b"khala/worker-operator"
"""Sealing label of the operator binding."""
ACCOUNT_BYTES = 32
"""An account id's length."""


class OperatorErrorCode(StrEnum):
    """Codes of :class:`OperatorError`."""

    IDENTITY_MISMATCH = "worker.operator_identity_mismatch"
    """``operator.sealed`` belongs to another identity (the keys were replaced); start again
    with ``--operator`` to bind this identity."""


class OperatorError(KhalaError):
    """The operator binding cannot be used."""


def bind_operator(
    backend: EnclaveBackend, base_path: Path, identity: bytes, configured: bytes | None
) -> bytes | None:
    """Return the worker's operator: ``configured`` (sealed for next time) or the sealed one.

    Raises:
        OperatorError: When the sealed binding belongs to another identity and no operator is
            configured.
        EnclaveError: When ``operator.sealed`` does not open.
    """
    path = base_path / OPERATOR_FILE
    sealed: bytes | None = None
    if path.exists():
        material = backend.unseal(path.read_bytes(), LABEL)
        bound_identity, operator = material[:ACCOUNT_BYTES], material[ACCOUNT_BYTES:]
        if bound_identity == identity:
            sealed = operator
        elif configured is None:
            raise OperatorError(
                OperatorErrorCode.IDENTITY_MISMATCH,
                f"{path} binds another worker identity; start with --operator ACCOUNT",
            )
    if configured is None:
        return sealed
    if sealed is not None and sealed != configured:
        log.warning("operator changed", previous="0x" + sealed.hex(), now="0x" + configured.hex())
    write_atomic(path, backend.seal(identity + configured, LABEL))
    return configured
