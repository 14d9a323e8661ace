"""Computation (Phala's mining pallet): sessions, stakes, heartbeat challenges, settlements.

A worker's owner (its registered ``operator``) binds it to a session account, then starts
computing with a stake that is reserved on the owner's account. Each block the chain challenges
a random subset of computing workers; the hit ones answer with signed heartbeats, and the
gatekeepers settle V and rewards per block under the master key. Stopping starts a cool-down
after which anyone may reclaim the stake back to the owner, exactly.

Session states: ``Ready`` (bound, not computing) → ``WorkerIdle`` (computing) ⇄
``WorkerUnresponsive`` (missed heartbeats, reported by the gatekeepers) → ``WorkerCoolingDown``
(stopped) → ``Ready`` (reclaimed). Mining starts disabled on the khala preset; governance turns
it on with ``set_mining_enabled``, usually through a scheduled call (the fair-launch timer).
"""
