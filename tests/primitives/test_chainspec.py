"""Raw chain specs: malformed files give typed errors that say what to fix; child tries fold in."""

from __future__ import annotations

import json

import pytest

from khala.primitives.chainspec import (
    CHILD_STORAGE_PREFIX,
    ChainSpecError,
    ChainSpecErrorCode,
    parse_raw_chain_spec,
)
from khala.primitives.trie import Layout, trie_root


def _spec(raw: object) -> str:
    return json.dumps({"name": "Test", "id": "test", "genesis": {"raw": raw}})


@pytest.mark.parametrize(
    ("text", "code", "words"),
    [
        ("{not json", ChainSpecErrorCode.INVALID_JSON, "line 1 column 2"),
        ("[]", ChainSpecErrorCode.INVALID_FIELD, "'genesis'"),
        (json.dumps({"genesis": {"runtime": {}}}), ChainSpecErrorCode.NOT_RAW, "--raw"),
        (_spec({"nottop": {}}), ChainSpecErrorCode.INVALID_FIELD, "'top'"),
        (_spec({"top": {"0x00": "zz"}}), ChainSpecErrorCode.INVALID_HEX, "0x-prefixed"),
        (_spec({"top": {"0x0g": "0x00"}}), ChainSpecErrorCode.INVALID_HEX, "0x0g"),
        (_spec({"top": [], "childrenDefault": {}}), ChainSpecErrorCode.INVALID_FIELD, "object"),
        (
            _spec({"top": {}, "childrenDefault": []}),
            ChainSpecErrorCode.INVALID_FIELD,
            "childrenDefault",
        ),
    ],
)
def test_malformed_specs_are_typed(text: str, code: ChainSpecErrorCode, words: str) -> None:
    """Each kind of malformed spec has its code and a message pointing at the problem."""
    with pytest.raises(ChainSpecError) as caught:
        parse_raw_chain_spec(text)
    assert caught.value.code is code
    assert words in caught.value.message


def test_child_tries_fold_into_the_top_root() -> None:
    """A default child trie's root is stored at :child_storage:default:<key> in the top trie."""
    spec = parse_raw_chain_spec(
        _spec({"top": {"0x01": "0x02"}, "childrenDefault": {"0xaa": {"0x03": "0x04"}}})
    )
    child_root = trie_root([(b"\x03", b"\x04")], Layout.V1)
    expected = trie_root([(b"\x01", b"\x02"), (CHILD_STORAGE_PREFIX + b"\xaa", child_root)])
    assert spec.state_root(Layout.V1) == expected
    assert spec.name == "Test"
