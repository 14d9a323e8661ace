"""Cluster and contract keys, derived from the master key (DESIGN §7), and their distribution.

``cluster_key = HKDF(master, "khala/cluster" ‖ cluster_id)`` and
``contract_key = HKDF(cluster_key, "khala/contract" ‖ contract_id)``: 32-byte seeds. From each
seed come, like the master key's own keys:

* an **ed25519 signing key** (``"khala/key/signing"``): signs the cluster's instantiation
  results or the contract's events; deterministic, so every worker of the cluster sends the
  same bytes and the first copy lands;
* an **x25519 ECDH secret** (``"khala/key/ecdh"``): users seal commands to its public half,
  workers open them;
* an **sr25519 secret** (``"khala/key/sr25519"``): pink's ``derive_sr25519_key`` derives from it.

The gatekeepers derive every cluster's and contract's key and publish the public halves; a
cluster's workers receive the cluster key sealed from the master ECDH key to their own ECDH key
(with the worker's identity as associated data), then derive contract keys themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from khala.offchain.master_key import ecdh_secret as master_ecdh_secret
from khala.offchain.master_key import message_iv
from khala.primitives.crypto import Keypair, KeyScheme, keypair_from_seed
from khala.primitives.crypto.envelope import (
    open_envelope,
    seal,
    seal_ephemeral,
    x25519_public_key,
)

KEY_LENGTH = 32
"""Bytes of a cluster or contract key seed."""
DISTRIBUTION_LABEL = b"phat/cluster-key"
"""The envelope label of cluster key distributions."""
COMMAND_LABEL = b"phat/command"
"""The envelope label of users' commands to a contract."""


def _hkdf(secret: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_LENGTH, salt=None, info=info).derive(secret)


@dataclass(frozen=True, slots=True)
class DerivedKey:
    """A cluster's or contract's key and what is derived from it."""

    seed: bytes = field(repr=False)
    """The 32-byte key."""

    @property
    def signing(self) -> Keypair:
        """The ed25519 signing key."""
        return keypair_from_seed(KeyScheme.ED25519, _hkdf(self.seed, b"khala/key/signing"))

    @property
    def ecdh_secret(self) -> bytes:
        """The x25519 secret."""
        return _hkdf(self.seed, b"khala/key/ecdh")

    @property
    def ecdh_public(self) -> bytes:
        """The x25519 public key users encrypt to."""
        return x25519_public_key(self.ecdh_secret)

    @property
    def sr25519_secret(self) -> bytes:
        """The 64-byte sr25519 secret pink derives contract keys from."""
        return keypair_from_seed(KeyScheme.SR25519, _hkdf(self.seed, b"khala/key/sr25519")).secret


def cluster_key(master: bytes, cluster: bytes) -> DerivedKey:
    """The key of ``cluster``, from the master key."""
    return DerivedKey(_hkdf(master, b"khala/cluster" + cluster))


def contract_key(cluster: DerivedKey, contract: bytes) -> DerivedKey:
    """The key of ``contract``, from its cluster's key."""
    return DerivedKey(_hkdf(cluster.seed, b"khala/contract" + contract))


def seal_cluster_key(
    master: bytes, key: DerivedKey, worker: bytes, worker_ecdh: bytes, block: int, counter: int
) -> bytes:
    """The envelope carrying a cluster key to one worker.

    Deterministic, like every gatekeeper message: the IV comes from the master key, the block
    and a per-block counter.
    """
    return seal(
        worker_ecdh,
        key.seed,
        label=DISTRIBUTION_LABEL,
        sender_secret=master_ecdh_secret(master),
        iv=message_iv(master, block, counter),
        associated_data=worker,
    )


def open_cluster_key(worker_ecdh_secret: bytes, worker: bytes, envelope: bytes) -> DerivedKey:
    """Open a cluster key addressed to ``worker`` (raises ``EnvelopeError`` otherwise)."""
    seed = open_envelope(
        worker_ecdh_secret, envelope, label=DISTRIBUTION_LABEL, associated_data=worker
    )
    return DerivedKey(seed)


def seal_command(contract_ecdh: bytes, body: bytes, entropy: bytes, contract: bytes) -> bytes:
    """A user's command sealed to a contract's ECDH key (``entropy``: 44 fresh bytes)."""
    return seal_ephemeral(
        contract_ecdh, body, label=COMMAND_LABEL, entropy=entropy, associated_data=contract
    )


def open_command(key: DerivedKey, envelope: bytes, contract: bytes) -> bytes:
    """Open a command sealed to the contract (raises ``EnvelopeError`` when tampered or foreign)."""
    return open_envelope(key.ecdh_secret, envelope, label=COMMAND_LABEL, associated_data=contract)
