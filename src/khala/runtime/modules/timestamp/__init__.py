"""Timestamp: the block's time, set by a mandatory inherent, monotonic by a minimum period."""
