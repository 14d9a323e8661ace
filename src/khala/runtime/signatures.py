"""Extrinsic signature checks.

A cache remembers what passed, so a transaction verified in the pool is not verified again when
its block is built or imported.
"""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True, slots=True)
class SignatureJob:
    """One extrinsic signature to check, with what its check is remembered by.

    The node hands jobs to its verification processes (off the event loop) and records the
    ones they verified with :meth:`SignatureVerifier.record_verified`, so the pool's own check
    then finds them verified.
    """

    scheme: KeyScheme
    """The signature's scheme."""
    public_key: bytes
    """The signer's public key (its account id)."""
    payload: bytes
    """The signing payload (hashed first when over 256 bytes, as signed)."""
    signature: bytes
    """The 64-byte signature."""
    key: tuple[bytes, bytes, int]
    """(extrinsic bytes, era block hash, spec version): what the cache remembers."""


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
        job = self.job(call, signature, sender, era_hash, raw, spec_version)
        if job is None:
            if (raw, era_hash, spec_version) in self._cache:
                return
        elif verify(job.scheme, job.public_key, job.payload, job.signature):
            self.record_verified(job)
            return
        raise InvalidTransactionError(
            InvalidTransactionCode.BAD_PROOF,
            "transaction has a bad signature: check the signer, genesis hash, era and "
            "spec/transaction versions",
        )

    def job(
        self,
        call: RuntimeCall,
        signature: ExtrinsicSignature,
        sender: bytes,
        era_hash: bytes,
        raw: bytes,
        spec_version: int = SPEC_VERSION,
    ) -> SignatureJob | None:
        """Return what checking this signature takes.

        None when it passed before, or when its scheme is not one this chain verifies (then
        :meth:`verify` refuses it).
        """
        key = (raw, era_hash, spec_version)
        if key in self._cache:
            return None
        scheme = (
            KeyScheme.SR25519
            if isinstance(signature.signature, Sr25519Signature)
            else KeyScheme.ED25519
            if isinstance(signature.signature, Ed25519Signature)
            else None
        )
        if scheme is None:
            return None
        payload = signing_payload(
            call,
            signature.extra,
            spec_version=spec_version,
            transaction_version=TRANSACTION_VERSION,
            genesis_hash=self.genesis_hash,
            era_block_hash=era_hash,
        )
        value: bytes = getattr(signature.signature, "signature", b"")
        return SignatureJob(scheme, sender, payload, value, key)

    def record_verified(self, job: SignatureJob) -> None:
        """Remember that ``job``'s signature verified.

        Checked here, or by the node's verification process, which runs the same
        :func:`verify` on the same inputs.
        """
        if len(self._cache) >= SIGNATURE_CACHE_SIZE:
            # Start over rather than evict one by one: a single operation, safe while the node
            # validates on its event loop and builds a block in another thread.
            self._cache.clear()
        self._cache[job.key] = None
