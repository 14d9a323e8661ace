"""Registry: workers, attestation, allow-lists, TCB policy, roots, gatekeepers, endpoints.

The registry verifies workers' attestations and keeps the governance lists they are checked
against. REPORTDATA layout (64 bytes) of a registration quote:

=========  ==============================================================================
bytes      content
=========  ==============================================================================
0..32      ``blake2_256(SCALE(WorkerRegistrationInfo))``: binds the quote to this registration
32..40     u64 little-endian Unix seconds when the worker requested the quote (freshness)
40..64     24 random bytes from the enclave: every quote is unique, so a replayed attestation
           is recognised by (measurement, REPORTDATA) without hashing the malleable quote bytes
=========  ==============================================================================
"""
