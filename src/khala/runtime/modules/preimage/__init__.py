"""Preimage: large calls stored once and referred to by their hash (FRAME ``pallet_preimage``).

Anyone may note the bytes of a call (``note_preimage``), paying a deposit for the storage it
takes; democracy proposals and referenda then carry only the 32-byte blake2 hash, and the call
is looked up when it is enacted. The depositor may remove an unused preimage
(``unnote_preimage``) and gets the deposit back.
"""
