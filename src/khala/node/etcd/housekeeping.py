"""Keeping etcd small: a window of recent blocks and votes, compaction, defragmentation.

Full history lives in every node's LMDB; etcd only orders recent blocks. The leader, every
``housekeeping_every`` blocks, deletes blocks and votes more than ``keep_blocks`` below the
finalized block, compacts etcd's history to the revision of its last append, and every
``defragment_every``-th time defragments the members (which returns the freed pages to the
file system and briefly pauses each member), far below etcd's 2 GiB default quota.
"""

from __future__ import annotations

import structlog

from khala.node.etcd.client import Etcd
from khala.node.etcd.log import LogKeys
from khala.node.etcd.settings import ClusterSettings

log = structlog.get_logger("khala.cluster")


async def housekeep(
    etcd: Etcd,
    keys: LogKeys,
    settings: ClusterSettings,
    *,
    finalized: int,
    revision: int,
    rounds: int,
) -> None:
    """One round: delete old blocks and votes, compact to ``revision``, maybe defragment.

    ``rounds`` counts earlier rounds (every ``defragment_every``-th one defragments).

    Raises:
        EtcdError: When etcd refuses or cannot be reached (the next round tries again).
    """
    below = finalized - settings.keep_blocks
    if below > 0:
        await etcd.delete_range(keys.block(0), keys.block(below))
        await etcd.delete_range(keys.votes_at(0), keys.votes_at(below))
    await etcd.compact(revision)
    if rounds % settings.defragment_every == settings.defragment_every - 1:
        await etcd.defragment()
    log.info("etcd housekeeping", kept_from=max(below, 0), compacted_to=revision)
