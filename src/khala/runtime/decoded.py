"""Pool transactions decoded once: when validated, and reused when their block applies them.

A transfer's extrinsic is decoded when the pool validates it and again when the block builder
applies it (about a tenth of a transfer's execution). The executive keeps the first decode for
the second, but only for extrinsics whose every part is deeply immutable (a call holding a
list, such as a batch, is decoded afresh): sharing one object then changes no result.
"""

from __future__ import annotations

from typing import Any

from khala.primitives.scale import codec_of
from khala.primitives.scale.immutability import is_immutable
from khala.runtime.extrinsic import Extrinsic, ExtrinsicSignature, decode_extrinsic

DECODED_LIMIT = 16_384
"""Most decoded transactions kept (twice the pool's default count; cleared when reached, so
transactions validated but never applied cannot grow it without bound)."""

_SIGNATURE_IMMUTABLE = is_immutable(codec_of(ExtrinsicSignature))
"""Whether signatures decode to immutable values (they do: addresses, signatures, era, ints)."""


class DecodedExtrinsics:
    """A bounded map from encoded extrinsics to their decoded, immutable form."""

    def __init__(self, limit: int = DECODED_LIMIT) -> None:
        """Start empty; hold at most ``limit`` entries."""
        self.limit = limit
        self._decoded: dict[bytes, Extrinsic] = {}
        self._immutable: dict[type, bool] = {}

    def decode_and_keep(self, raw: bytes) -> Extrinsic:
        """Decode ``raw`` and keep the result for :meth:`take` when it is safe to share.

        A decode kept before is returned as it is: a transaction validated twice (its
        signature checked ahead, then the pool's validation) is decoded once.

        Raises:
            InvalidTransactionError: As :func:`decode_extrinsic`.
        """
        kept = self._decoded.get(raw)
        if kept is not None:
            return kept
        extrinsic = decode_extrinsic(raw)
        if self._shareable(extrinsic):
            if len(self._decoded) >= self.limit:
                self._decoded.clear()
            self._decoded[raw] = extrinsic
        return extrinsic

    def take(self, raw: bytes) -> Extrinsic:
        """Return the kept decode of ``raw`` (forgetting it), or decode it now.

        Raises:
            InvalidTransactionError: As :func:`decode_extrinsic`.
        """
        kept = self._decoded.pop(raw, None)
        return kept if kept is not None else decode_extrinsic(raw)

    def _shareable(self, extrinsic: Extrinsic) -> bool:
        if extrinsic.signature is not None and not _SIGNATURE_IMMUTABLE:
            return False
        call_type: type[Any] = type(extrinsic.call)
        known = self._immutable.get(call_type)
        if known is None:
            known = self._immutable[call_type] = is_immutable(codec_of(call_type))
        return known
