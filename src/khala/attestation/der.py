"""A minimal DER encoder for the Intel SGX PCK certificate extension.

Only the five ASN.1 types that extension uses (SEQUENCE, OBJECT IDENTIFIER, INTEGER, OCTET
STRING, ENUMERATED); ``cryptography`` embeds the result as an unrecognised extension.
"""

from __future__ import annotations

SGX_EXTENSION_OID = "1.2.840.113741.1.13.1"
"""Intel's SGX extension OID in PCK certificates."""


def _length(size: int) -> bytes:
    if size < 0x80:
        return bytes([size])
    raw = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def tlv(tag: int, value: bytes) -> bytes:
    """Encode one tag-length-value element."""
    return bytes([tag]) + _length(len(value)) + value


def sequence(*items: bytes) -> bytes:
    """DER SEQUENCE of already-encoded items."""
    return tlv(0x30, b"".join(items))


def octet_string(value: bytes) -> bytes:
    """DER OCTET STRING."""
    return tlv(0x04, value)


def integer(value: int) -> bytes:
    """DER INTEGER of a non-negative value (minimal two's complement)."""
    raw = value.to_bytes(max(1, (value.bit_length() + 8) // 8), "big")
    return tlv(0x02, raw)


def enumerated(value: int) -> bytes:
    """DER ENUMERATED."""
    return tlv(0x0A, integer(value)[2:])


def oid(dotted: str) -> bytes:
    """DER OBJECT IDENTIFIER from dotted notation."""
    arcs = [int(arc) for arc in dotted.split(".")]
    body = bytearray([arcs[0] * 40 + arcs[1]])
    for arc in arcs[2:]:
        chunk = [arc & 0x7F]
        rest = arc >> 7
        while rest:
            chunk.append(0x80 | (rest & 0x7F))
            rest >>= 7
        body += bytes(reversed(chunk))
    return tlv(0x06, bytes(body))


def sgx_extension(
    *, ppid: bytes, components: list[int], pce_svn: int, cpu_svn: bytes, pce_id: bytes, fmspc: bytes
) -> bytes:
    """Encode the SGX extension: PPID, TCB (16 SVNs, PCESVN, CPUSVN), PCE-ID, FMSPC, type."""
    base = SGX_EXTENSION_OID
    tcb = [
        sequence(oid(f"{base}.2.{index + 1}"), integer(svn)) for index, svn in enumerate(components)
    ]
    tcb.append(sequence(oid(f"{base}.2.17"), integer(pce_svn)))
    tcb.append(sequence(oid(f"{base}.2.18"), octet_string(cpu_svn)))
    return sequence(
        sequence(oid(f"{base}.1"), octet_string(ppid)),
        sequence(oid(f"{base}.2"), sequence(*tcb)),
        sequence(oid(f"{base}.3"), octet_string(pce_id)),
        sequence(oid(f"{base}.4"), octet_string(fmspc)),
        sequence(oid(f"{base}.5"), enumerated(0)),
    )
