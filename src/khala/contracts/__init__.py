"""Confidential contracts: an ink!-compatible wasm host on wasmtime, pink, and the ink! ABI."""
