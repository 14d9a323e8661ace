"""Substrate's base-16 Patricia-Merkle state trie: roots, incremental updates, read proofs."""

from khala.primitives.trie.build import build_root
from khala.primitives.trie.errors import TrieError, TrieErrorCode
from khala.primitives.trie.node import EMPTY_ROOT, Layout, decode_node
from khala.primitives.trie.proof import generate_proof, verify_proof
from khala.primitives.trie.store import MemoryNodeStore, NodeStore, RefCountedNodeStore
from khala.primitives.trie.trie import Trie, trie_root

__all__ = [
    "EMPTY_ROOT",
    "Layout",
    "MemoryNodeStore",
    "NodeStore",
    "RefCountedNodeStore",
    "Trie",
    "TrieError",
    "TrieErrorCode",
    "build_root",
    "decode_node",
    "generate_proof",
    "trie_root",
    "verify_proof",
]
