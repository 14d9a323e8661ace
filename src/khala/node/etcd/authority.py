"""What the authority set means to a clustered node: who finalizes a block, whose slot it is."""

from __future__ import annotations

from khala.node.chain import Chain
from khala.node.etcd.votes import FinalitySet
from khala.runtime.modules.authorship.state import AUTHORITIES, AUTHORITY_SET_ID
from khala.runtime.state import State


def finality_set_of(chain: Chain, number: int) -> FinalitySet:
    """The authority set that finalizes block ``number``: its parent state's.

    The block enacting a set change is still finalized by the old set, exactly as workers'
    light clients check it.
    """
    parent = chain.store.hash_at(number - 1)
    state = State(chain.state_at(parent))
    authorities = tuple(authority.finality_key for authority in AUTHORITIES.get(state))
    return FinalitySet(AUTHORITY_SET_ID.get(state), authorities)


def is_authority(chain: Chain, key: bytes) -> bool:
    """Whether ``key`` is in the head's authority set (it may vote and lead)."""
    return any(authority.finality_key == key for authority in AUTHORITIES.get(chain.best_state()))


def own_slot(chain: Chain, key: bytes, earliest: int) -> int:
    """The first slot from ``earliest`` on whose author is ``key``.

    ``earliest`` when none is: ``start_block`` then refuses with ``chain.not_authority``.
    """
    authorities = AUTHORITIES.get(chain.best_state())
    count = len(authorities)
    for slot in range(earliest, earliest + count):
        if authorities[slot % count].finality_key == key:
            return slot
    return earliest
