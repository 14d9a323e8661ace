"""The root of khala's exception tree.

Every error khala raises on purpose derives from :class:`KhalaError` and carries a ``code``: a
member of a per-area ``StrEnum`` whose values are stable, dotted strings (``scale.unexpected_end``)
that scripts can match on and that ``--json`` output reports. The tree::

    KhalaError
    ├── DecodeError           (bytes that do not decode; carries the byte offset)
    │   ├── ScaleError        primitives.scale    SCALE encode/decode
    │   └── TrieError         primitives.trie     node decoding, proofs, missing nodes
    ├── HashingError          primitives.hashing  storage-key hashers
    ├── CryptoError           primitives.crypto   keys, URIs, mnemonics
    ├── EnvelopeError         primitives.crypto   encrypted envelopes
    ├── Ss58Error             primitives.ss58     addresses
    ├── FixedPointError       primitives.fixed_point
    ├── ChainSpecError        primitives.chainspec raw chain spec files
    ├── CliError              cli                 command-line inputs
    └── BenchError            bench               benchmark parameters and baselines
"""

from __future__ import annotations

from enum import StrEnum


class KhalaError(Exception):
    """Base class of every deliberate khala error.

    Attributes:
        code: The documented code of this failure, one member of the raising area's ``StrEnum``.
        message: A sentence for a person: what was wrong and what to do about it.
    """

    code: StrEnum
    message: str

    def __init__(self, code: StrEnum, message: str) -> None:
        """Create an error with its code and a human message."""
        super().__init__(f"[{code.value}] {message}")
        self.code = code
        self.message = message

    def to_json(self) -> dict[str, str]:
        """Return the machine-readable form used by ``--json`` outputs."""
        return {"code": self.code.value, "message": self.message}


class DecodeError(KhalaError):
    """Bytes could not be decoded; says where.

    Attributes:
        offset: The byte offset in the input where decoding failed, when known.
    """

    offset: int | None

    def __init__(self, code: StrEnum, message: str, *, offset: int | None = None) -> None:
        """Create the error; the offset, when known, is appended to the message."""
        if offset is not None:
            message = f"{message} (at byte offset {offset})"
        super().__init__(code, message)
        self.offset = offset
