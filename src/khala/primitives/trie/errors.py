"""Errors of the state trie and its proofs."""

from __future__ import annotations

from enum import StrEnum

from khala.errors import DecodeError


class TrieErrorCode(StrEnum):
    """Codes of :class:`TrieError`."""

    INVALID_NODE = "trie.invalid_node"
    """Bytes are not a valid node encoding (bad header, padding, bitmap, length or trailing)."""
    MISSING_NODE = "trie.missing_node"
    """A node or value referenced by hash is not in the node store."""
    INCOMPLETE_PROOF = "trie.incomplete_proof"
    """A proof lacks a node needed to prove a key's value or absence."""
    INVALID_PROOF = "trie.invalid_proof"
    """A proof is not a list of byte strings."""
    UNSORTED_ITEMS = "trie.unsorted_items"
    """Items promised in strictly increasing key order were not (a bulk build's input)."""


class TrieError(DecodeError):
    """A trie node, store or proof was unusable; ``offset`` locates bad bytes inside a node."""
