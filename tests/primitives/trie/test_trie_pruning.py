"""Superseded nodes are released exactly: a store keeping only the current state never leaks.

Random inserts, updates and deletes over many commits, with repeated values and mirrored key
ranges (identical subtrees and hashed values shared between paths), release each commit's
superseded nodes; after every commit the store must hold exactly the nodes reachable from the
root — one more is a leak, one fewer a node the state still needs.
"""

from __future__ import annotations

import random

from khala.primitives.hashing import blake2_256
from khala.primitives.trie import EMPTY_ROOT, Layout, RefCountedNodeStore, Trie, decode_node
from khala.primitives.trie.node import HASH_LENGTH


def _reachable(store: RefCountedNodeStore, root: bytes) -> dict[bytes, int]:
    """Occurrences of every stored node (and hashed value) the state under ``root`` uses."""
    counts: dict[bytes, int] = {}

    def visit(encoded: bytes) -> None:
        node = decode_node(encoded)
        if node is None:
            return
        if node.value_hash is not None:
            counts[node.value_hash] = counts.get(node.value_hash, 0) + 1
        for reference in node.children or ():
            if reference is None:
                continue
            if len(reference) == HASH_LENGTH:
                counts[reference] = counts.get(reference, 0) + 1
                child = store.get(reference)
                assert child is not None, f"missing node 0x{reference.hex()}"
                visit(child)
            else:
                visit(reference)

    encoded = store.get(root)
    assert encoded is not None
    counts[root] = counts.get(root, 0) + 1
    visit(encoded)
    return counts


def test_released_nodes_leave_exactly_what_the_current_state_needs() -> None:
    rng = random.Random(12)
    store = RefCountedNodeStore()
    values = [bytes([n]) * size for n in range(4) for size in (4, 40)]  # inline and hashed
    state: dict[bytes, bytes] = {}
    trie = Trie(store, Layout.V1)
    shared = 0
    for block in range(300):
        for _ in range(rng.randrange(1, 12)):
            suffix = bytes([rng.randrange(6), rng.randrange(6)])
            value = rng.choice(values)
            for prefix in (b"\x10", b"\x20"):  # the same change under two prefixes
                key = prefix + suffix
                if rng.random() < 0.3 and key in state:
                    trie.delete(key)
                    del state[key]
                else:
                    trie.insert(key, value)
                    state[key] = value
        root = trie.commit()
        store.release(trie.take_removed())
        assert root == Trie.from_items(state.items()).root_hash(), block
        if root != EMPTY_ROOT and len(store.get(root) or b"") >= HASH_LENGTH:
            expected = _reachable(store, root)
            assert set(store.nodes) == set(expected), f"block {block}"
            assert store.refs == expected, f"block {block}"
            shared = max(shared, *expected.values())
    assert shared >= 2  # the run did share nodes between paths
    assert dict(Trie(store, Layout.V1, trie.root_hash()).items()) == state


def test_an_unchanged_write_supersedes_nothing() -> None:
    """Writing a value a key already has changes no node: nothing to release."""
    store = RefCountedNodeStore()
    trie = Trie.from_items([(bytes([n]) * 3, b"v" * 40) for n in range(20)], store=store)
    trie.commit()
    reopened = Trie(store, Layout.V1, trie.root_hash())
    reopened.insert(b"\x05\x05\x05", b"v" * 40)
    assert reopened.commit() == trie.root_hash()
    assert reopened.take_removed() == []
    reopened.insert(b"\x05\x05\x05", b"w" * 40)
    reopened.commit()
    removed = reopened.take_removed()
    assert blake2_256(b"v" * 40) in removed and len(removed) >= 2
