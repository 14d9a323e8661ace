"""TransactionPayment's declaration for the runtime table (:mod:`khala.runtime.table`)."""

from __future__ import annotations

from khala.runtime.module import RuntimeModule
from khala.runtime.modules import payment
from khala.runtime.modules.payment import constants, events, state

MODULE = RuntimeModule(
    index=constants.MODULE_INDEX,
    name=constants.MODULE_NAME,
    docs=payment.__doc__ or "",
    events=events.Event,
    state=state,
)
"""TransactionPayment's entry in the runtime table."""
