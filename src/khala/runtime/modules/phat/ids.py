"""Identifiers: cluster ids, their accounts, contract addresses."""

from __future__ import annotations

from khala.primitives.hashing import blake2_256

_CLUSTER_ACCOUNT = b"khala/phat/cluster-account"


def cluster_id(counter: int) -> bytes:
    """Cluster number ``counter`` as Phala writes it: ``H256::from_low_u64_be``."""
    return counter.to_bytes(32, "big")


def cluster_account(cluster: bytes) -> bytes:
    """The on-chain account holding the PHA moved into a cluster (no key controls it)."""
    return blake2_256(_CLUSTER_ACCOUNT + cluster)


def contract_id(deployer: bytes, code_hash: bytes, cluster: bytes, salt: bytes) -> bytes:
    """A contract's address: ``blake2_256(deployer ‖ code_hash ‖ cluster ‖ salt)``."""
    return blake2_256(deployer + code_hash + cluster + salt)
