"""Deterministic logic replicated in TEEs.

Gatekeeper economics now; the worker state machine and key distribution later. No I/O,
clocks or randomness: identical inputs give identical outputs on every gatekeeper.
"""
