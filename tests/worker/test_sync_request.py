"""Hardening: a sync batch is shape-checked and bounded before the worker does any trie work.

Found by an attacker: 200k junk storage changes cost a worker 4.8 s of CPU before the state
root check refused them, and a ``blocks`` that was not a list answered HTTP 500.
"""

from __future__ import annotations

from typing import Any

import pytest

from khala.primitives.scale import codec_of
from khala.primitives.types import Header
from khala.worker.sync_request import (
    MAX_SYNC_BLOCKS,
    MAX_SYNC_CHANGES,
    SyncRequestError,
    SyncRequestErrorCode,
    parse_sync_request,
)
from tests.worker.test_light_client import _chain_with_blocks

_HEADER = codec_of(Header)


def _batch(blocks: list[Any] | None = None) -> dict[str, Any]:
    if blocks is None:
        _, blocks = _chain_with_blocks()
    return {
        "blocks": [
            {
                "header": "0x" + _HEADER.encode(block.header).hex(),
                "justification": None
                if block.justification is None
                else "0x" + block.justification.hex(),
                "changes": [
                    ["0x" + key.hex(), None if value is None else "0x" + value.hex()]
                    for key, value in block.changes.items()
                ],
            }
            for block in blocks
        ]
    }


def test_an_honest_batch_parses_to_the_same_blocks() -> None:
    """The node's own shape decodes back to the blocks it describes."""
    _, blocks = _chain_with_blocks()
    assert parse_sync_request(_batch(blocks)) == blocks


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"blocks": "everything"}, "body"),
        ([], "body"),
        ({"blocks": [7]}, "blocks[0]"),
        ({"blocks": [{"header": "0x00", "changes": []}]}, "blocks[0].header"),
        ({"blocks": [{"header": 5, "changes": []}]}, "blocks[0].header"),
        ({"blocks": [{"header": "0xzz", "changes": []}]}, "blocks[0].header"),
    ],
)
def test_malformed_shapes_are_named(body: Any, where: str) -> None:
    """Each wrong shape is a typed refusal naming where it is, never a server error."""
    with pytest.raises(SyncRequestError) as caught:
        parse_sync_request(body)
    assert caught.value.code is SyncRequestErrorCode.MALFORMED
    assert caught.value.message.startswith(where)


def test_bad_changes_and_justifications_are_named() -> None:
    """A change that is not [key, value] or a non-hex justification names its position."""
    batch = _batch()
    batch["blocks"][1]["changes"].append(["0x00"])
    with pytest.raises(SyncRequestError) as caught:
        parse_sync_request(batch)
    assert caught.value.message.startswith("blocks[1].changes[")
    batch = _batch()
    batch["blocks"][2]["justification"] = "0x0g"
    with pytest.raises(SyncRequestError) as caught:
        parse_sync_request(batch)
    assert caught.value.message.startswith("blocks[2].justification")


def test_oversized_batches_are_refused_before_any_work() -> None:
    """Too many blocks, or too many storage changes in total, are refused as a whole."""
    batch = _batch()
    junk = [["0x" + index.to_bytes(4, "big").hex(), "0x00"] for index in range(MAX_SYNC_CHANGES)]
    batch["blocks"][1]["changes"] = [*junk, ["0xff", None]]
    with pytest.raises(SyncRequestError) as caught:
        parse_sync_request(batch)
    assert caught.value.code is SyncRequestErrorCode.TOO_LARGE
    many = {"blocks": [batch["blocks"][0]] * (MAX_SYNC_BLOCKS + 1)}
    with pytest.raises(SyncRequestError) as caught:
        parse_sync_request(many)
    assert caught.value.code is SyncRequestErrorCode.TOO_LARGE
