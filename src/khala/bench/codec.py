"""SCALE codec benchmark: our codec against scalecodec on the same 6-field struct.

scalecodec (the Python SCALE library substrate-interface uses) is the baseline the issue
names. It is imported here lazily and nowhere else in ``src/``: it is an optional ``bench``
extra, never a runtime dependency.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from khala.bench.errors import BenchError, BenchErrorCode
from khala.bench.timing import interleaved_throughput, machine
from khala.primitives.scale import U32, U64, U128, CompactU32, codec_of


@dataclass(frozen=True, slots=True)
class SixFields:
    """The benchmark struct: one field of each common kind."""

    index: U32
    """A u32."""
    moment: U64
    """A u64."""
    enabled: bool
    """A bool."""
    balance: U128
    """A u128."""
    count: CompactU32
    """A Compact<u32>."""
    payload: bytes
    """A Vec<u8> of 16 bytes."""


SAMPLE = SixFields(7, 1 << 40, True, 10**20, 1000, b"\xab" * 16)
"""The value encoded and decoded in every round."""
_SCALECODEC_TYPE = {
    "type": "struct",
    "type_mapping": [
        ["index", "u32"],
        ["moment", "u64"],
        ["enabled", "bool"],
        ["balance", "u128"],
        ["count", "Compact<u32>"],
        ["payload", "Vec<u8>"],
    ],
}


def _scalecodec_operations(raw: bytes) -> tuple[Callable[[], object], Callable[[], object], bytes]:
    """Return scalecodec's decode and encode operations and its encoding of the sample."""
    try:
        # scalecodec is an optional baseline: loaded only when this benchmark runs.
        from scalecodec.base import RuntimeConfiguration, ScaleBytes  # noqa: PLC0415
        from scalecodec.type_registry import load_type_registry_preset  # noqa: PLC0415
    except ImportError:
        raise BenchError(
            BenchErrorCode.MISSING_BASELINE,
            "the codec benchmark compares against scalecodec: pip install 'khala[bench]'",
        ) from None
    runtime = RuntimeConfiguration()
    runtime.update_type_registry(load_type_registry_preset("legacy"))
    runtime.update_type_registry({"types": {"KhalaSixFields": _SCALECODEC_TYPE}})
    value: dict[str, Any] = {
        "index": SAMPLE.index,
        "moment": SAMPLE.moment,
        "enabled": SAMPLE.enabled,
        "balance": SAMPLE.balance,
        "count": SAMPLE.count,
        "payload": "0x" + SAMPLE.payload.hex(),
    }

    def decode() -> object:
        scale_object = runtime.create_scale_object("KhalaSixFields", data=ScaleBytes(raw))
        return scale_object.decode()

    def encode() -> object:
        return runtime.create_scale_object("KhalaSixFields").encode(value)

    theirs = bytes(runtime.create_scale_object("KhalaSixFields").encode(value).data)
    return decode, encode, theirs


def run_codec_benchmark(*, rounds: int = 15, round_seconds: float = 0.15) -> dict[str, Any]:
    """Measure decode and encode throughput of both codecs in one interleaved run.

    Returns:
        Figures including ``decode_ratio`` and ``encode_ratio`` (ours / scalecodec).

    Raises:
        BenchError: ``bench.missing_baseline`` when scalecodec is not installed.
    """
    codec = codec_of(SixFields)
    raw = codec.encode(SAMPLE)
    their_decode, their_encode, theirs = _scalecodec_operations(raw)
    if theirs != raw or codec.decode(raw) != SAMPLE:
        raise BenchError(
            BenchErrorCode.BASELINE_DISAGREES, "the two codecs encode the sample differently"
        )
    decode_rates = interleaved_throughput(
        {"ours": lambda: codec.decode(raw), "scalecodec": their_decode},
        rounds=rounds,
        round_seconds=round_seconds,
    )
    encode_rates = interleaved_throughput(
        {"ours": lambda: codec.encode(SAMPLE), "scalecodec": their_encode},
        rounds=rounds,
        round_seconds=round_seconds,
    )
    ours_decode = decode_rates["ours"].best_ops_per_s
    ours_encode = encode_rates["ours"].best_ops_per_s
    base_decode = decode_rates["scalecodec"].best_ops_per_s
    base_encode = encode_rates["scalecodec"].best_ops_per_s
    return {
        "struct": "6 fields: u32, u64, bool, u128, Compact<u32>, Vec<u8>[16]",
        "encoded_bytes": len(raw),
        "decode_ops_per_s": round(ours_decode),
        "encode_ops_per_s": round(ours_encode),
        "scalecodec_decode_ops_per_s": round(base_decode),
        "scalecodec_encode_ops_per_s": round(base_encode),
        "decode_ratio": round(ours_decode / base_decode, 1),
        "encode_ratio": round(ours_encode / base_encode, 1),
        "median_decode_ratio": round(
            decode_rates["ours"].median_ops_per_s / decode_rates["scalecodec"].median_ops_per_s, 1
        ),
        "median_encode_ratio": round(
            encode_rates["ours"].median_ops_per_s / encode_rates["scalecodec"].median_ops_per_s, 1
        ),
        "rounds": rounds,
        "machine": machine(),
    }
