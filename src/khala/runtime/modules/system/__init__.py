"""System: accounts and nonces, block number and hash history, events, ``remark``."""
