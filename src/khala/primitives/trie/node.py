"""Encoding and decoding of Substrate trie nodes (``sp-trie``'s node codec).

Paths are handled as lowercase hex strings, one character per nibble, so slicing and
comparing paths are plain string operations. A node is one of:

* empty (the empty trie's root): ``0x00``;
* leaf: header, partial key, value;
* branch: header, partial key, 16-bit child bitmap (little-endian), optional value, then each
  present child's reference with a compact length prefix.

The header packs the node kind and the partial key's nibble count: two kind bits for leaves
(``01``), branches without value (``10``) and with value (``11``); layout V1 adds leaves
(``001``) and branches (``0001``) whose value is stored as its blake2-256 hash. A count that
does not fit the remaining header bits continues in extra bytes. An inline value is SCALE
``Vec<u8>``; a child reference is the child's encoding when shorter than 32 bytes, else its
blake2-256 hash. Odd nibble counts left-pad the first byte with a zero nibble.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from khala.primitives.hashing import blake2_256
from khala.primitives.scale.compact import decode_compact, encode_compact
from khala.primitives.scale.errors import ScaleError
from khala.primitives.trie.errors import TrieError, TrieErrorCode

HASH_LENGTH = 32
"""blake2-256 output; references this long or longer are hashes, shorter ones are inline."""
EMPTY_NODE = b"\x00"
"""The encoding of the empty trie."""
EMPTY_ROOT = blake2_256(EMPTY_NODE)
"""Root hash of the empty trie (both layouts)."""
V1_VALUE_THRESHOLD = 33
"""Layout V1 stores values of this many bytes or more in their own node, by hash."""
NIBBLE_COUNT_LIMIT = 0xFFFF
"""sp-trie bounds a partial key to 65535 nibbles; longer headers are rejected."""

LEAF = 0b01 << 6
"""Header mask of a leaf with an inline value."""
BRANCH_NO_VALUE = 0b10 << 6
"""Header mask of a branch without a value."""
BRANCH_WITH_VALUE = 0b11 << 6
"""Header mask of a branch with an inline value."""
HASHED_LEAF = 0b001 << 5
"""Header mask of a V1 leaf whose value is stored by hash."""
HASHED_BRANCH = 0b0001 << 4
"""Header mask of a V1 branch whose value is stored by hash."""
_PREFIX_BITS = {LEAF: 2, BRANCH_NO_VALUE: 2, BRANCH_WITH_VALUE: 2, HASHED_LEAF: 3, HASHED_BRANCH: 4}


class Layout(IntEnum):
    """The trie layout (state version)."""

    V0 = 0
    """Every value inline in its node (Substrate state version 0)."""
    V1 = 1
    """Values of 33 bytes or more hashed into their own nodes (state version 1)."""


def encode_header(mask: int, nibble_count: int) -> bytes:
    """Encode a node header: kind mask plus nibble count, with continuation bytes if needed."""
    max_value = 255 >> _PREFIX_BITS[mask]
    if nibble_count < max_value:
        return bytes((mask | nibble_count,))
    header = bytearray((mask | max_value,))
    remaining = nibble_count - (max_value - 1)
    while remaining >= 256:
        header.append(255)
        remaining -= 255
    header.append(remaining - 1)
    return bytes(header)


def encode_partial(nibbles: str) -> bytes:
    """Pack a hex nibble path into bytes, left-padding an odd count with a zero nibble."""
    return bytes.fromhex("0" + nibbles if len(nibbles) & 1 else nibbles)


def _value_part(value: bytes, layout: Layout) -> tuple[bool, bytes]:
    """Return (is_hashed, encoded value part) for a node value."""
    if layout is Layout.V1 and len(value) >= V1_VALUE_THRESHOLD:
        return True, blake2_256(value)
    out = bytearray()
    encode_compact(len(value), out)
    out += value
    return False, bytes(out)


def encode_leaf(partial: str, value: bytes, layout: Layout) -> bytes:
    """Encode a leaf node."""
    hashed, value_part = _value_part(value, layout)
    header = encode_header(HASHED_LEAF if hashed else LEAF, len(partial))
    return header + encode_partial(partial) + value_part


def encode_branch(
    partial: str, value: bytes | None, child_references: list[bytes | None], layout: Layout
) -> bytes:
    """Encode a branch node from its children's references (see :func:`reference_of`)."""
    bitmap = 0
    body = bytearray()
    for index, reference in enumerate(child_references):
        if reference is not None:
            bitmap |= 1 << index
            body.append(len(reference) << 2)  # compact length: references are at most 32 bytes
            body += reference
    if value is None:
        head = encode_header(BRANCH_NO_VALUE, len(partial)) + encode_partial(partial)
        return head + bitmap.to_bytes(2, "little") + body
    hashed, value_part = _value_part(value, layout)
    mask = HASHED_BRANCH if hashed else BRANCH_WITH_VALUE
    head = encode_header(mask, len(partial)) + encode_partial(partial)
    return head + bitmap.to_bytes(2, "little") + value_part + body


def has_hashed_value(encoded: bytes) -> bool:
    """Whether a node's header says its value is stored by hash (a V1 hashed-value node)."""
    first = encoded[0]
    return first & 0b1110_0000 == HASHED_LEAF or first & 0b1111_0000 == HASHED_BRANCH


def reference_of(encoded: bytes) -> bytes:
    """Return how a parent refers to a child: inline below 32 bytes, else by hash."""
    return encoded if len(encoded) < HASH_LENGTH else blake2_256(encoded)


@dataclass(frozen=True, slots=True)
class DecodedNode:
    """A node read back from its encoding; children stay as references."""

    partial: str
    """The partial key as hex nibbles."""
    value: bytes | None
    """The inline value, if the node has one stored inline."""
    value_hash: bytes | None
    """The hash of the value, for V1 nodes whose value lives in its own node."""
    children: tuple[bytes | None, ...] | None
    """For branches, 16 child references (inline encoding or 32-byte hash); None for leaves."""

    @property
    def is_branch(self) -> bool:
        """Whether this node is a branch."""
        return self.children is not None


def _invalid(message: str, offset: int) -> TrieError:
    return TrieError(TrieErrorCode.INVALID_NODE, message, offset=offset)


def _decode_header(encoded: bytes) -> tuple[int, int, int]:
    """Return (mask, nibble count, offset after the header)."""
    first = encoded[0]
    kind = first & 0b1100_0000
    if kind:
        mask = kind
    elif first & 0b1110_0000 == HASHED_LEAF:
        mask = HASHED_LEAF
    elif first & 0b1111_0000 == HASHED_BRANCH:
        mask = HASHED_BRANCH
    else:
        raise _invalid(f"header byte {first:#04x} is not a known node kind", 0)
    max_value = 255 >> _PREFIX_BITS[mask]
    count = first & max_value
    offset = 1
    if count == max_value:
        count -= 1
        while True:
            if offset >= len(encoded):
                raise _invalid("node ends inside its header", offset)
            extra = encoded[offset]
            offset += 1
            if extra < 255:
                count += extra + 1
                break
            count += 255
            if count > NIBBLE_COUNT_LIMIT:
                raise _invalid("partial key longer than 65535 nibbles", offset)
    return mask, count, offset


_HASH_REFERENCE = HASH_LENGTH << 2
"""The single-byte compact length prefix of a child referenced by its 32-byte hash."""


def decode_node(encoded: bytes) -> DecodedNode | None:
    """Decode a node strictly; returns None for the empty node.

    Raises:
        TrieError: ``trie.invalid_node`` for any malformed encoding, with the byte offset.
    """
    if not encoded:
        raise _invalid("a node cannot be zero bytes", 0)
    if encoded == EMPTY_NODE:
        return None
    mask, count, offset = _decode_header(encoded)
    partial_end = offset + (count + 1) // 2
    if partial_end > len(encoded):
        raise _invalid(f"partial key of {count} nibbles runs past the node", offset)
    partial = encoded[offset:partial_end].hex()
    if count & 1:
        if partial[0] != "0":
            raise _invalid("odd partial key has a non-zero padding nibble", offset)
        partial = partial[1:]
    offset = partial_end
    children: tuple[bytes | None, ...] | None = None
    is_branch = mask in (BRANCH_NO_VALUE, BRANCH_WITH_VALUE, HASHED_BRANCH)
    bitmap = 0
    if is_branch:
        if offset + 2 > len(encoded):
            raise _invalid("branch ends before its child bitmap", offset)
        bitmap = int.from_bytes(encoded[offset : offset + 2], "little")
        if bitmap == 0:
            raise _invalid("branch has an empty child bitmap", offset)
        offset += 2
    value: bytes | None = None
    value_hash: bytes | None = None
    try:
        if mask in (HASHED_LEAF, HASHED_BRANCH):
            if offset + HASH_LENGTH > len(encoded):
                raise _invalid("node ends inside its value hash", offset)
            value_hash = encoded[offset : offset + HASH_LENGTH]
            offset += HASH_LENGTH
        elif mask in (LEAF, BRANCH_WITH_VALUE):
            length, start = decode_compact(encoded, offset)
            if start + length > len(encoded):
                raise _invalid(f"value of {length} bytes runs past the node", offset)
            value, offset = encoded[start : start + length], start + length
        if is_branch:
            references: list[bytes | None] = [None] * 16
            size = len(encoded)
            for index in range(16):
                if bitmap >> index & 1:
                    if offset + 33 <= size and encoded[offset] == _HASH_REFERENCE:
                        # The common case: a 32-byte hash (compact length byte 32 << 2).
                        references[index] = encoded[offset + 1 : offset + 33]
                        offset += 33
                        continue
                    length, start = decode_compact(encoded, offset)
                    if length > HASH_LENGTH or start + length > len(encoded):
                        raise _invalid(
                            f"child {index} reference of {length} bytes is invalid", offset
                        )
                    references[index], offset = encoded[start : start + length], start + length
            children = tuple(references)
    except ScaleError as error:
        raise _invalid(
            f"malformed length prefix: {error.message}", error.offset or offset
        ) from None
    if offset != len(encoded):
        raise _invalid(f"{len(encoded) - offset} trailing bytes after the node", offset)
    return DecodedNode(partial, value, value_hash, children)
