"""Scheduler: governance's calls at a block height (FRAME ``pallet_scheduler``'s named tasks).

Root schedules a call under a 32-byte task name to run at a future block; the call is
dispatched with the root origin in that block's ``on_initialize``, its result recorded in a
``Dispatched`` event. A named task can be moved to another block (``reschedule_named``: how the
council delays the fair-launch timer) or cancelled. Task names are UTF-8 strings of at most 32
bytes, right-padded with zeros on chain (``"start-mining"`` → ``b"start-mining" + 20 × 0x00``).
"""
