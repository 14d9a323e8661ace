"""TransactionPayment's constants."""

MODULE_INDEX = 41
"""Module index of TransactionPayment (as on Khala)."""
MODULE_NAME = "TransactionPayment"
"""Storage prefix name."""
BASE_FEE = 10**9
"""0.001 PHA per extrinsic: the cost of checking and including any transaction."""
LENGTH_FEE = 10**6
"""0.000001 PHA per encoded byte, so block space is paid for."""
WEIGHT_FEE_DIVISOR = 100
"""Weight picoseconds per fee unit: a 200 µs transfer costs 0.000002 PHA of weight fee."""
TREASURY_PERCENT = 80
"""Share of each fee paid to the treasury; the rest goes to the block author."""
TREASURY_ACCOUNT = b"modl" + b"py/trsry" + bytes(20)
"""The treasury's account: FRAME's PalletId ``py/trsry`` turned into an account id."""
