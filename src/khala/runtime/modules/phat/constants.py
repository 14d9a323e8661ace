"""Phat contracts constants."""

MODULE_INDEX = 94
"""Module index of the phat contracts module."""
MODULE_NAME = "PhatContracts"
"""Storage prefix name."""
PALLET_ID = b"PhatContracts"
"""The module's mq sender name: cluster operations come from ``Pallet(PhatContracts)``."""
MAX_CODE_SIZE = 128 * 1024
"""Largest wasm a cluster takes: the contract host's code cap (ink! builds are 10–60 KiB)."""
MAX_COMMAND_SIZE = 16 * 1024
"""Largest encrypted command: ink!'s 16 KiB input buffer plus the envelope fits in mq's
payload limit."""
MAX_CONSTRUCTOR_DATA = 16 * 1024
"""Largest constructor call data (ink!'s input buffer)."""
MAX_SALT = 128
"""Longest instantiation salt."""
MAX_CLUSTER_WORKERS = 64
"""Workers one cluster may hold: each replays every command."""
CLUSTER_TOPIC = b"khala/phat/cluster"
"""Topic of cluster operations to workers (uploads, instantiations, deposits, commands)."""
CLUSTER_KEY_TOPIC = b"^khala/phat/cluster-key"
"""On-chain topic where the gatekeepers publish a cluster's public keys."""
CONTRACT_KEY_TOPIC = b"^khala/phat/contract-key"
"""On-chain topic where the gatekeepers publish a contract's public keys."""
CLUSTER_KEY_DISTRIBUTION_TOPIC = b"khala/phat/cluster-key-distribution"
"""Topic of cluster keys encrypted to one worker's ECDH key, from the gatekeepers."""
INSTANTIATED_TOPIC = b"^khala/phat/instantiated"
"""On-chain topic of a cluster's instantiation results (signed by the cluster key)."""
CONTRACT_EVENT_TOPIC = b"^khala/phat/contract-event"
"""On-chain topic of contract events (signed by the contract key)."""
CALL_WEIGHT = 200_000_000
"""Weight (ps) of a phat call: a few storage writes and one message."""
UPLOAD_WEIGHT_PER_BYTE = 2_000
"""Extra weight (ps) per byte of uploaded code (hashing and carrying it)."""
