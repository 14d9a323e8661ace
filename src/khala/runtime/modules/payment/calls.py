"""TransactionPayment has no calls."""

CALLS: dict[type, object] = {}
"""No handlers."""
