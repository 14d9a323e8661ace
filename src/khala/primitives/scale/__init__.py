"""SCALE, Substrate's binary codec: declare a type once, get encode, decode and metadata.

Example::

    @dataclass(frozen=True, slots=True)
    class AccountData:
        free: U128
        reserved: U128

    raw = encode(AccountData(10, 0))
    assert decode(AccountData, raw) == AccountData(10, 0)
"""

from khala.primitives.scale.base import Codec
from khala.primitives.scale.codec import BOOL, BYTES, COMPACT_U32, COMPACT_U64, COMPACT_U128, STR
from khala.primitives.scale.compact import decode_compact, encode_compact
from khala.primitives.scale.containers import Err, Ok
from khala.primitives.scale.declare import (
    H256,
    H512,
    I8,
    I16,
    I32,
    I64,
    I128,
    U8,
    U16,
    U32,
    U64,
    U128,
    U256,
    Compact,
    CompactU32,
    CompactU64,
    Lazy,
    Length,
    codec_of,
    decode,
    encode,
)
from khala.primitives.scale.enums import ScaleEnum, variant
from khala.primitives.scale.errors import ScaleError, ScaleErrorCode
from khala.primitives.scale.registry import TypeRegistry

__all__ = [
    "BOOL",
    "BYTES",
    "COMPACT_U32",
    "COMPACT_U64",
    "COMPACT_U128",
    "H256",
    "H512",
    "I8",
    "I16",
    "I32",
    "I64",
    "I128",
    "STR",
    "U8",
    "U16",
    "U32",
    "U64",
    "U128",
    "U256",
    "Codec",
    "Compact",
    "CompactU32",
    "CompactU64",
    "Err",
    "Lazy",
    "Length",
    "Ok",
    "ScaleEnum",
    "ScaleError",
    "ScaleErrorCode",
    "TypeRegistry",
    "codec_of",
    "decode",
    "decode_compact",
    "encode",
    "encode_compact",
    "variant",
]
