"""Preimage storage."""

from __future__ import annotations

from khala.primitives.hashing import StorageHasher
from khala.primitives.scale import H256
from khala.runtime.modules.preimage.constants import MODULE_NAME
from khala.runtime.modules.preimage.types import PreimageStatus
from khala.runtime.storage import StorageMap

STATUS_FOR: StorageMap[bytes, PreimageStatus | None] = StorageMap(
    MODULE_NAME, "StatusFor", StorageHasher.IDENTITY, H256, PreimageStatus | None, None
)
"""Preimage.StatusFor: blake2-256 hash -> who noted it, the deposit and the length."""
PREIMAGE_FOR: StorageMap[bytes, bytes | None] = StorageMap(
    MODULE_NAME, "PreimageFor", StorageHasher.IDENTITY, H256, bytes | None, None
)
"""Preimage.PreimageFor: blake2-256 hash -> the bytes."""
