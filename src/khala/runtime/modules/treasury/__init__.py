"""Treasury: the network's own funds, spent by council decision (FRAME ``pallet_treasury``).

The treasury account receives 80 % of every transaction fee and the treasury share of every
mining settlement. Anyone may ``propose_spend`` a sum to a beneficiary, bonding 5 % of it (at
least 1 PHA); half of the council approves the proposal or rejects it (the bond is then
slashed into the treasury). Every spend period the approved proposals are paid in order while
funds last (the bond comes back); what cannot be paid waits for the next period. Then a
fixed share of what remains is burned, so funds nobody spends do not accumulate forever.
"""
