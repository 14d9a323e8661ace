"""Remote attestation: DCAP quote verification and a simulated quoting enclave.

Verification runs dcap-qvl under a governance policy; the simulated quoting enclave signs
real-format quotes with a throwaway dev PKI for development chains.

``policy.verify_attestation`` is deterministic (``now`` is explicit, never the wall clock), so
the runtime can call it with the block timestamp. ``dev_pki`` and ``simulated_quote`` create
keys and files and are used only by services and tests.
"""
