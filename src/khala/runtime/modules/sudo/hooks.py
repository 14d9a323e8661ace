"""Sudo has no block hooks."""
