"""TransactionPayment has no block hooks."""
