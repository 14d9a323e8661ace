"""Authorship emits no events."""
