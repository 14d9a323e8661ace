"""The on-chain state machine: deterministic, no I/O, clocks, randomness or logging.

``executive.apply_block`` is the table of contents; each module under ``modules/`` has the same
anatomy (constants, state, calls, events, errors, hooks).
"""
