"""The node's signature verification process: batches of signatures in, one verdict each out.

The node's event loop holds Python's lock while it validates transactions, and sr25519
verification (about a tenth of a transfer's cost on the node) does not release it. The node
therefore starts this module as a child process (``python -m khala.node.signature_worker``)
and sends it the signatures of the transactions clients submit, so they are checked on
another core while the loop serves the next request. The verdicts only spare the pool's own
check (:meth:`khala.runtime.signatures.SignatureVerifier.record_verified`): a signature this
process refuses, or one it never answers, is verified again on the loop, so a lost or stuck
process costs time, never a wrong answer.

Frames on both pipes are a little-endian u32 length and a body. A request body is a u32 count
then, per signature, a scheme byte (:data:`SCHEME_CODES`), the 32-byte public key, the 64-byte
signature, a u32 payload length and the payload. A response body is one byte per signature,
1 when it verified, in the request's order.
"""

from __future__ import annotations

import signal
import struct
import sys
from collections.abc import Sequence
from typing import BinaryIO

from khala.primitives.crypto import KeyScheme, verify
from khala.primitives.crypto.keys import PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH

SCHEME_CODES: dict[KeyScheme, int] = {KeyScheme.SR25519: 0, KeyScheme.ED25519: 1}
"""The scheme byte of each signature scheme in a request."""
SCHEMES_BY_CODE = {code: scheme for scheme, code in SCHEME_CODES.items()}
"""The scheme of each request scheme byte."""
MAX_FRAME_BYTES = 64 << 20
"""Largest frame either side accepts (a few thousand transactions' signatures take well
under 1 MiB; this only stops a corrupt length from allocating without bound)."""

FRAME_LENGTH = struct.Struct("<I")
"""The little-endian u32 before every frame body (and a request's count)."""
_ITEM_HEAD = struct.Struct("<B32s64sI")

Signature = tuple[KeyScheme, bytes, bytes, bytes]
"""(scheme, public key, payload, signature): one signature to verify."""


class FrameError(ValueError):
    """A frame that does not follow the format above (the process then exits)."""


def well_formed(signature: Signature) -> bool:
    """Whether a signature fits the frame: a 32-byte key and a 64-byte signature."""
    _, public_key, _, value = signature
    return len(public_key) == PUBLIC_KEY_LENGTH and len(value) == SIGNATURE_LENGTH


def encode_request(signatures: Sequence[Signature]) -> bytes:
    """Return the request frame (length included) for ``signatures`` (all :func:`well_formed`).

    Raises:
        FrameError: For a signature that is not.
    """
    if not all(well_formed(signature) for signature in signatures):
        raise FrameError("a key must be 32 bytes and a signature 64")
    parts = [FRAME_LENGTH.pack(len(signatures))]
    for scheme, public_key, payload, signature in signatures:
        parts.append(
            _ITEM_HEAD.pack(SCHEME_CODES[scheme], public_key, signature, len(payload)) + payload
        )
    body = b"".join(parts)
    return FRAME_LENGTH.pack(len(body)) + body


def decode_request(body: bytes) -> list[Signature]:
    """Return the signatures of a request body.

    Raises:
        FrameError: When the body is cut short, overlong or names an unknown scheme.
    """
    if len(body) < FRAME_LENGTH.size:
        raise FrameError("request shorter than its count")
    (count,) = FRAME_LENGTH.unpack_from(body)
    offset = FRAME_LENGTH.size
    signatures: list[Signature] = []
    for _ in range(count):
        if offset + _ITEM_HEAD.size > len(body):
            raise FrameError("request cut inside a signature")
        code, public_key, signature, length = _ITEM_HEAD.unpack_from(body, offset)
        offset += _ITEM_HEAD.size
        scheme = SCHEMES_BY_CODE.get(code)
        if scheme is None or offset + length > len(body):
            raise FrameError("unknown scheme or payload cut short")
        signatures.append((scheme, public_key, body[offset : offset + length], signature))
        offset += length
    if offset != len(body):
        raise FrameError("bytes after the last signature")
    return signatures


def verdicts(signatures: Sequence[Signature]) -> bytes:
    """Return the response body: 1 for each signature that verifies, 0 otherwise."""
    return bytes(
        1 if verify(scheme, public_key, payload, signature) else 0
        for scheme, public_key, payload, signature in signatures
    )


def read_frame(stream: BinaryIO) -> bytes | None:
    """Read one frame's body from ``stream``; None at a clean end of input.

    Raises:
        FrameError: When the input ends inside a frame or announces one over the limit.
    """
    head = stream.read(FRAME_LENGTH.size)
    if not head:
        return None
    if len(head) < FRAME_LENGTH.size:
        raise FrameError("input ended inside a frame length")
    (length,) = FRAME_LENGTH.unpack(head)
    if length > MAX_FRAME_BYTES:
        raise FrameError(f"frame of {length} bytes exceeds {MAX_FRAME_BYTES}")
    body = stream.read(length)
    if len(body) < length:
        raise FrameError("input ended inside a frame")
    return body


def serve(source: BinaryIO, sink: BinaryIO) -> None:
    """Answer request frames from ``source`` on ``sink`` until ``source`` ends.

    Raises:
        FrameError: On a malformed frame (the node then starts a new process).
    """
    while (body := read_frame(source)) is not None:
        answer = verdicts(decode_request(body))
        sink.write(FRAME_LENGTH.pack(len(answer)) + answer)
        sink.flush()


def main() -> None:
    """Serve stdin/stdout until the node closes the pipe (or dies: the pipe closes then too).

    Ctrl-C in a terminal reaches the whole process group; the node shuts this process down
    by closing its input, so the interrupt is ignored here.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        serve(sys.stdin.buffer, sys.stdout.buffer)
    except FrameError as error:
        sys.stderr.write(f"khala signature worker: {error}\n")
        sys.exit(2)
    except BrokenPipeError:
        sys.exit(0)


if __name__ == "__main__":
    main()
