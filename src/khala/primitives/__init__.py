"""Pure building blocks: SCALE, hashing, keys, SS58, envelopes, fixed point, the state trie.

Nothing in this package performs I/O, reads clocks or environment, logs, or draws randomness;
functions that need entropy take it as an argument so services can inject it.
"""
