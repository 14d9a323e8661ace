"""Balances has no block hooks."""
