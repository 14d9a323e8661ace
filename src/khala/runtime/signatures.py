"""Extrinsic signature checks.

A cache remembers what passed, so a transaction verified in the pool is not verified again when
its block is built or imported.
"""

from __future__ import annotations

from khala.primitives.crypto import KeyScheme, verify
from khala.runtime.errors import InvalidTransactionCode, InvalidTransactionError
from khala.runtime.extrinsic import ExtrinsicSignature, signing_payload
from khala.runtime.outer import RuntimeCall
from khala.runtime.types import Ed25519Signature, Sr25519Signature
from khala.runtime.version import SPEC_VERSION, TRANSACTION_VERSION

SIGNATURE_CACHE_SIZE = 1 << 16
"""Verified (extrinsic, era hash) pairs remembered so a pooled transaction is not verified again
when its block is built; verification is a pure function, so caching cannot change a result.
A full cache is cleared (65,536 entries is several blocks' worth of transactions)."""


class SignatureVerifier:
    """Verifies signed extrinsics of one chain and remembers the ones that passed."""

    def __init__(self, genesis_hash: bytes) -> None:
        """Bind to the chain's genesis hash (part of every signing payload)."""
        self.genesis_hash = genesis_hash
        self._cache: dict[tuple[bytes, bytes, int], None] = {}

    def verify(
        self,
        call: RuntimeCall,
        signature: ExtrinsicSignature,
        sender: bytes,
        era_hash: bytes,
        raw: bytes,
        spec_version: int = SPEC_VERSION,
    ) -> None:
        """Check an extrinsic's signature over its signing payload (cached by bytes and era).

        ``spec_version`` is the version of the runtime the transaction runs under: a
        transaction signed for another runtime does not verify.

        Raises:
            InvalidTransactionError: ``invalid_transaction.bad_proof`` when it does not verify.
        """
        if (raw, era_hash, spec_version) in self._cache:
            return
        payload = signing_payload(
            call,
            signature.extra,
            spec_version=spec_version,
            transaction_version=TRANSACTION_VERSION,
            genesis_hash=self.genesis_hash,
            era_block_hash=era_hash,
        )
        scheme = (
            KeyScheme.SR25519
            if isinstance(signature.signature, Sr25519Signature)
            else KeyScheme.ED25519
            if isinstance(signature.signature, Ed25519Signature)
            else None
        )
        value: bytes = getattr(signature.signature, "signature", b"")
        if scheme is None or not verify(scheme, sender, payload, value):
            raise InvalidTransactionError(
                InvalidTransactionCode.BAD_PROOF,
                "transaction has a bad signature: check the signer, genesis hash, era and "
                "spec/transaction versions",
            )
        if len(self._cache) >= SIGNATURE_CACHE_SIZE:
            # Start over rather than evict one by one: a single operation, safe while the node
            # validates on its event loop and builds a block in another thread.
            self._cache.clear()
        self._cache[(raw, era_hash, spec_version)] = None
