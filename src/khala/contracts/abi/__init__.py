"""The ink! ABI: values by a portable type registry, and contract metadata (v4/v5)."""

from khala.contracts.abi.metadata import DecodedEvent, InkMetadata, MessageSpec
from khala.contracts.abi.portable import PortableCodec

__all__ = ["DecodedEvent", "InkMetadata", "MessageSpec", "PortableCodec"]
