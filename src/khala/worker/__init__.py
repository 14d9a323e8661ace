"""The worker (pRuntime) service: identity, attestation, and later sync, mining and contracts."""
