"""The gatekeepers' master key: what is derived from it, and how it is handed to a new gatekeeper.

The master key is 32 random bytes generated in the first gatekeeper's enclave. Everything the
gatekeepers do with it is a pure function of it and of chain data, so every gatekeeper holding
it emits byte-identical messages (the first copy lands; the others fail mq's sequence check):

* **signing key**: ed25519 from ``HKDF(master, "khala/master/signing")``. ed25519 signatures
  are deterministic (sr25519's are randomised), which is what makes the messages identical;
  the chain stores its public key as ``Registry.GatekeeperMasterPubkey``.
* **ECDH key**: x25519 secret ``HKDF(master, "khala/master/ecdh")``.
* **IVs**: ``HKDF(master, "khala/master/iv" ++ block u32 LE ++ counter u32 LE)[:12]``, unique
  per (block, message counter), so no (key, IV) pair is ever reused.
* **distribution**: the master key sealed (ECDH + HKDF + AES-256-GCM, :mod:`envelope`) from the
  master ECDH key to the new gatekeeper's ECDH key, with the gatekeeper's identity key as
  associated data, so an envelope cannot be redirected to another worker.
"""

from __future__ import annotations

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from khala.primitives.crypto import Keypair, KeyScheme, keypair_from_seed
from khala.primitives.crypto.envelope import IV_LENGTH, open_envelope, seal

MASTER_KEY_LENGTH = 32
"""Bytes of master key material."""
ENVELOPE_LABEL = b"gatekeeper/master-key"
"""The envelope label of master key distributions (no other protocol can open them)."""


def _hkdf(master: bytes, info: bytes, length: int = 32) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info).derive(master)


def signing_key(master: bytes) -> Keypair:
    """The ed25519 key that signs every gatekeeper message."""
    return keypair_from_seed(KeyScheme.ED25519, _hkdf(master, b"khala/master/signing"))


def ecdh_secret(master: bytes) -> bytes:
    """The master x25519 secret that seals distributions."""
    return _hkdf(master, b"khala/master/ecdh")


def message_iv(master: bytes, block: int, counter: int) -> bytes:
    """The IV of the ``counter``-th encrypted message of ``block``."""
    info = b"khala/master/iv" + block.to_bytes(4, "little") + counter.to_bytes(4, "little")
    return _hkdf(master, info, IV_LENGTH)


def seal_master_key(
    master: bytes, recipient: bytes, recipient_ecdh: bytes, block: int, counter: int
) -> bytes:
    """The envelope carrying ``master`` to gatekeeper ``recipient`` (deterministic)."""
    return seal(
        recipient_ecdh,
        master,
        label=ENVELOPE_LABEL,
        sender_secret=ecdh_secret(master),
        iv=message_iv(master, block, counter),
        associated_data=recipient,
    )


def open_master_key(ecdh_secret_key: bytes, recipient: bytes, envelope: bytes) -> bytes:
    """Open a distribution addressed to ``recipient`` (raises ``EnvelopeError`` if not ours)."""
    return open_envelope(ecdh_secret_key, envelope, label=ENVELOPE_LABEL, associated_data=recipient)
