"""The runtime table: every module of khala's runtime, like FRAME's ``construct_runtime!``.

Order is hook order (every ``on_initialize`` top to bottom at the start of a block, then every
``on_finalize`` top to bottom at its end) and the order of pallets in the metadata; the index
in each declaration is what goes on chain. Mq comes before the scheduler so that the outbound
messages are cleared before scheduled calls may send new ones. Adding a module is its package
(its ``declaration.py`` holds ``MODULE = RuntimeModule(...)``) plus one line here.
"""

from __future__ import annotations

from khala.runtime.composition import Runtime
from khala.runtime.module import RuntimeModule
from khala.runtime.modules.authorship.declaration import MODULE as AUTHORSHIP
from khala.runtime.modules.balances.declaration import MODULE as BALANCES
from khala.runtime.modules.computation.declaration import MODULE as COMPUTATION
from khala.runtime.modules.council.declaration import MODULE as COUNCIL
from khala.runtime.modules.democracy.declaration import MODULE as DEMOCRACY
from khala.runtime.modules.mq.declaration import MODULE as MQ
from khala.runtime.modules.payment.declaration import MODULE as PAYMENT
from khala.runtime.modules.phat.declaration import MODULE as PHAT
from khala.runtime.modules.preimage.declaration import MODULE as PREIMAGE
from khala.runtime.modules.registry.declaration import MODULE as REGISTRY
from khala.runtime.modules.scheduler.declaration import MODULE as SCHEDULER
from khala.runtime.modules.stake_pool.declaration import MODULE as STAKE_POOL
from khala.runtime.modules.sudo.declaration import MODULE as SUDO
from khala.runtime.modules.system.declaration import MODULE as SYSTEM
from khala.runtime.modules.timestamp.declaration import MODULE as TIMESTAMP
from khala.runtime.modules.treasury.declaration import MODULE as TREASURY
from khala.runtime.modules.utility.declaration import MODULE as UTILITY
from khala.runtime.modules.vault.declaration import MODULE as VAULT
from khala.runtime.modules.vesting.declaration import MODULE as VESTING

MODULES: tuple[RuntimeModule, ...] = (
    SYSTEM,
    AUTHORSHIP,
    TIMESTAMP,
    MQ,
    SCHEDULER,
    UTILITY,
    BALANCES,
    VESTING,
    PAYMENT,
    COUNCIL,
    PREIMAGE,
    DEMOCRACY,
    TREASURY,
    REGISTRY,
    COMPUTATION,
    STAKE_POOL,
    VAULT,
    PHAT,
    SUDO,
)
"""khala's modules in hook order."""

RUNTIME = Runtime(MODULES)
"""khala's runtime, composed from :data:`MODULES`."""

MINING_MODULES = (COMPUTATION, STAKE_POOL, VAULT)
"""What the mining upgrade brought (release 8): the launch runtime lacks them."""
CONTRACT_MODULES = (PHAT,)
"""What the contracts upgrade brought (release 9): earlier runtimes lack them."""
MINING_RUNTIME = Runtime(tuple(module for module in MODULES if module not in CONTRACT_MODULES))
"""khala's mining runtime (release 8): everything but confidential contracts."""
LAUNCH_RUNTIME = Runtime(
    tuple(module for module in MODULES if module not in MINING_MODULES + CONTRACT_MODULES)
)
"""khala's launch runtime (release 7): everything but mining, as Khala launched."""
