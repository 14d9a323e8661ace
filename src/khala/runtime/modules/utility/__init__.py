"""Utility: several calls in one (FRAME ``pallet_utility``).

``batch`` dispatches its calls in order with the caller's origin and stops at the first that
fails (the earlier ones stay done; ``BatchInterrupted`` says which failed); ``batch_all`` is
all or nothing (any failure rolls every call back); ``force_batch`` runs every call whatever
the others do. The council's launch-day motion is one ``batch_all``: a motion's origin is
passed to each call, so each still checks the share of the council it needs. A batch weighs
what its calls weigh, so its fee covers all of them.
"""
