"""Building a trie in one pass gives the same root and stores the same nodes as node by node."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from khala.primitives.trie import EMPTY_ROOT, Layout, MemoryNodeStore, Trie, TrieError
from khala.primitives.trie.build import build_root, common_length
from khala.primitives.trie.errors import TrieErrorCode

_keys = st.binary(min_size=0, max_size=5).map(lambda raw: bytes(byte % 5 for byte in raw))
_values = st.one_of(st.binary(max_size=8), st.binary(min_size=30, max_size=70))


class CountingStore(MemoryNodeStore):
    """Counts every put, as a reference-counting store would."""

    def __init__(self) -> None:
        super().__init__()
        self.puts: Counter[tuple[bytes, bytes]] = Counter()

    def put(self, node_hash: bytes, encoded: bytes) -> None:
        self.puts[(node_hash, encoded)] += 1
        super().put(node_hash, encoded)


@pytest.mark.parametrize("layout", list(Layout))
def test_one_pass_build_matches_trie_commit(layout: Layout) -> None:
    """Same root, same puts (occurrences included), and a trie reopened on it reads every item."""

    @given(st.dictionaries(_keys, _values, max_size=40))
    def check(items: dict[bytes, bytes]) -> None:
        reference = CountingStore()
        expected_root = Trie.from_items(items.items(), layout, reference).commit()
        built = CountingStore()
        assert build_root(sorted(items.items()), layout, built, presorted=True) == expected_root
        assert built.puts == reference.puts
        unsorted = CountingStore()
        assert build_root(reversed(items.items()), layout, unsorted) == expected_root
        assert dict(Trie(built, layout, expected_root).items()) == items

    check()


def test_presorted_input_out_of_order_is_refused() -> None:
    """A promise of sorted keys is checked, not trusted."""
    with pytest.raises(TrieError) as raised:
        build_root([(b"\x02", b"a"), (b"\x01", b"b")], presorted=True)
    assert raised.value.code is TrieErrorCode.UNSORTED_ITEMS
    with pytest.raises(TrieError):
        build_root([(b"\x01", b"a"), (b"\x01", b"b")], presorted=True)


def test_empty_build_is_the_empty_root() -> None:
    """No items: the empty root, with the empty node stored as Trie.commit stores it."""
    store = MemoryNodeStore()
    assert build_root([], store=store) == EMPTY_ROOT
    assert store.get(EMPTY_ROOT) == b"\x00"


@given(st.text("0123456789abcdef", max_size=40), st.text("0123456789abcdef", max_size=40))
def test_common_length_counts_shared_leading_nibbles(left: str, right: str) -> None:
    """The integer comparison agrees with comparing nibble by nibble."""
    expected = 0
    while expected < min(len(left), len(right)) and left[expected] == right[expected]:
        expected += 1
    assert common_length(left, right) == expected
