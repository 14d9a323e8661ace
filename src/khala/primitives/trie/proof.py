"""Read proofs: the set of encoded nodes that proves keys' values (or absence) under a root.

A proof is what Substrate's ``state_getReadProof`` returns: an unordered list of node
encodings. :func:`generate_proof` collects every hashed node on the paths to the keys (plus V1
value nodes of found values); :func:`verify_proof` walks the same paths using only the proof
and the trusted root, so a light client learns each value without trusting whoever sent it.
Missing nodes, malformed nodes and odd inputs all end in a :class:`TrieError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from khala.primitives.hashing import blake2_256
from khala.primitives.trie.errors import TrieError, TrieErrorCode
from khala.primitives.trie.memory import Leaf, Node
from khala.primitives.trie.node import EMPTY_ROOT, HASH_LENGTH, decode_node, has_hashed_value
from khala.primitives.trie.trie import Trie


def generate_proof(trie: Trie, keys: Iterable[bytes]) -> list[bytes]:
    """Return the nodes proving each key's value or absence, sorted and without duplicates.

    The root node is always included; other nodes only when referenced by hash (inline nodes
    travel inside their parent), plus the value node of a found V1 hashed value. Dirty nodes
    are encoded first (nothing is written to the store), so any trie state can be proven.
    """
    trie.root_hash()
    root = trie.root_node()
    if root is None:
        return []
    proof: set[bytes] = set()
    for key in keys:
        path = key.hex()
        node = trie.load(root)
        proof.add(_encoding(node))
        while path.startswith(node.partial):
            path = path[len(node.partial) :]
            if not path:
                if node.value is not None and has_hashed_value(_encoding(node)):
                    proof.add(node.value)
                break
            if isinstance(node, Leaf):
                break
            child = node.children[int(path[0], 16)]
            if child is None:
                break
            path = path[1:]
            node = trie.load(child)
            encoded = _encoding(node)
            if len(encoded) >= HASH_LENGTH:
                proof.add(encoded)
    return sorted(proof)


def _encoding(node: Node) -> bytes:
    if node.encoded is None:  # root_hash() encodes every reachable dirty node
        raise TrieError(TrieErrorCode.MISSING_NODE, "a trie node was not encoded")
    return node.encoded


def verify_proof(
    root: bytes, proof: Sequence[bytes], keys: Iterable[bytes]
) -> dict[bytes, bytes | None]:
    """Check a read proof against a trusted root and return each key's proven value.

    Args:
        root: The trusted 32-byte state root.
        proof: The encoded nodes (any order; extra nodes are ignored).
        keys: The keys to look up.

    Returns:
        ``{key: value}``, with None for keys the proof shows to be absent.

    Raises:
        TrieError: ``trie.incomplete_proof`` when a needed node is missing,
            ``trie.invalid_node`` when a node on the path is malformed,
            ``trie.invalid_proof`` when the proof is not a list of byte strings.
    """
    if not isinstance(root, bytes) or len(root) != HASH_LENGTH:
        raise TrieError(TrieErrorCode.INVALID_PROOF, "the root must be 32 bytes")
    database: dict[bytes, bytes] = {}
    for position, item in enumerate(proof):
        if not isinstance(item, bytes):
            raise TrieError(TrieErrorCode.INVALID_PROOF, f"proof item {position} is not bytes")
        database[blake2_256(item)] = item
    return {key: _lookup(root, database, key) for key in keys}


def _lookup(root: bytes, database: dict[bytes, bytes], key: bytes) -> bytes | None:
    if root == EMPTY_ROOT:
        return None
    encoded = database.get(root)
    if encoded is None:
        raise TrieError(TrieErrorCode.INCOMPLETE_PROOF, "the proof does not contain the root node")
    path = key.hex()
    while True:
        decoded = decode_node(encoded)
        if decoded is None:
            raise TrieError(
                TrieErrorCode.INVALID_NODE, "the empty node cannot appear inside a trie"
            )
        if not path.startswith(decoded.partial):
            return None
        path = path[len(decoded.partial) :]
        if not path:
            if decoded.value_hash is not None:
                value = database.get(decoded.value_hash)
                if value is None:
                    raise TrieError(
                        TrieErrorCode.INCOMPLETE_PROOF,
                        f"value node 0x{decoded.value_hash.hex()} of key 0x{key.hex()} is missing",
                    )
                return value
            return decoded.value
        if decoded.children is None:
            return None
        reference = decoded.children[int(path[0], 16)]
        if reference is None:
            return None
        path = path[1:]
        if len(reference) < HASH_LENGTH:
            encoded = reference
            continue
        child = database.get(reference)
        if child is None:
            raise TrieError(
                TrieErrorCode.INCOMPLETE_PROOF,
                f"node 0x{reference.hex()} on the path of key 0x{key.hex()} is missing",
            )
        encoded = child
