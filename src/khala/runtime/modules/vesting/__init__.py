"""Vesting: balances that unlock linearly, block by block (FRAME's pallet-vesting).

A schedule locks ``locked`` PHA from ``starting_block`` and releases ``per_block`` each block
after it. The account holds the PHA; a balance lock (id ``vesting ``) keeps the unvested part
from being transferred. ``vest`` recomputes the lock (anyone may ``vest_other``); schedules are
set at genesis (crowdloan rewards: 15 % free at once, 85 % over 96 weeks on khala) or by
``vested_transfer``, and two can be merged. Vesting-locked PHA may still be delegated to stake
pools and vaults (a stakeable lock): it stays locked wherever it goes.
"""
