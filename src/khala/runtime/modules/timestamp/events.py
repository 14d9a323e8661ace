"""Timestamp emits no events."""
