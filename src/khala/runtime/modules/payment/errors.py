"""TransactionPayment raises no dispatch errors (unpayable fees are invalid transactions)."""
