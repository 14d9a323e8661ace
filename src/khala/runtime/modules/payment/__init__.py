"""TransactionPayment: the fee of every signed extrinsic and where it goes.

``fee = BASE_FEE + LENGTH_FEE × encoded length + weight ÷ WEIGHT_FEE_DIVISOR``; the sender
also pays its tip. The fee and tip are withdrawn before dispatch (keeping the sender alive)
and stay charged if the call fails. Of the fee, 80 % goes to the treasury account and 20 % to
the block author; the whole tip goes to the author (as Polkadot's ``DealWithFees``).
``payment_queryInfo`` reports the same number from :func:`compute_fee`.
"""
