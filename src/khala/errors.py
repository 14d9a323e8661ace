"""The root of khala's exception tree.

Every error khala raises on purpose derives from :class:`KhalaError` and carries a ``code``: a
member of a per-area ``StrEnum`` whose values are stable, dotted strings (``scale.unexpected_end``)
that scripts can match on and that ``--json`` output reports. The tree::

    KhalaError
    ├── ScaleError            primitives.scale    SCALE encode/decode
    ├── HashingError          primitives.hashing  storage-key hashers
    ├── KeyError_             primitives.crypto   keys, URIs, mnemonics, signatures
    ├── EnvelopeError         primitives.crypto   encrypted envelopes
    ├── Ss58Error             primitives.ss58     addresses
    ├── FixedPointError       primitives.fixed_point
    ├── TrieError             primitives.trie     node decoding, proofs, missing nodes
    └── ChainSpecError        primitives.chainspec raw chain spec files
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
