"""Registry has no block hooks."""
