"""Authorship has no calls; the authority set is fixed at genesis for the dev engine."""

CALLS: dict[type, object] = {}
"""No handlers."""
