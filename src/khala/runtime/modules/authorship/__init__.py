"""Authorship: the authority set, authoring slots and the current block's author.

Block authors put their slot in a pre-runtime digest (engine ``khla``); the author is the
authority at ``slot % len(authorities)``. Slots must increase block by block. The seal (the
author's signature over the header) is checked by the node, which holds the header.
Governance replaces the set with ``schedule_change``; the change takes effect at a block, and
the set id it brings is what finality justifications name from then on.
"""
