"""Weighted fair scheduling of contract queries: stake buys a share, no caller starves others.

Each query belongs to a flow, ``(contract, caller)``, weighted by the stake on the contract
(``PhatContracts.ContractTotalStakes``, at least 1). Start-time fair queueing: a query's
virtual start is the later of the scheduler's virtual time and its flow's last finish; its
finish adds ``1 / weight``; free slots take the smallest start. One caller flooding a contract
therefore only lengthens its own flow's queue: every other flow keeps its share, and a
contract with twice the stake gets twice the throughput under contention.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, TypeVar

from khala.offchain.query import QueryError, QueryErrorCode

T = TypeVar("T")

DEFAULT_MAX_QUEUED = 1024
"""Queries waiting at most; beyond it a query is refused with ``query.busy`` at once."""


@dataclass(order=True)
class _Pending:
    start: Fraction
    order: int
    flow: bytes = field(compare=False)
    job: Callable[[], Awaitable[Any]] = field(compare=False)
    future: asyncio.Future[Any] = field(compare=False)


class FairScheduler:
    """Runs at most ``slots`` jobs at once, fairly across weighted flows."""

    def __init__(self, slots: int, max_queued: int = DEFAULT_MAX_QUEUED) -> None:
        """Serve ``slots`` queries concurrently, queueing at most ``max_queued``."""
        self.slots = slots
        self.max_queued = max_queued
        self.running = 0
        self.virtual_time = Fraction(0)
        self._finish: dict[bytes, Fraction] = {}
        self._heap: list[_Pending] = []
        self._order = itertools.count()
        self.served: dict[bytes, int] = {}
        """Queries completed per flow (for ``/info`` and tests)."""

    @property
    def queued(self) -> int:
        """Queries waiting for a slot."""
        return len(self._heap)

    async def submit(self, flow: bytes, weight: int, job: Callable[[], Awaitable[T]]) -> T:
        """Run ``job`` when the flow's turn comes; return its result.

        Raises:
            QueryError: ``query.busy`` when the queue is full.
        """
        if len(self._heap) >= self.max_queued:
            raise QueryError(QueryErrorCode.BUSY, "the worker's query queue is full; retry later")
        start = max(self.virtual_time, self._finish.get(flow, Fraction(0)))
        self._finish[flow] = start + Fraction(1, max(weight, 1))
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._heap, _Pending(start, next(self._order), flow, job, future))
        self._pump()
        return await future

    def _pump(self) -> None:
        while self.running < self.slots and self._heap:
            pending = heapq.heappop(self._heap)
            self.virtual_time = max(self.virtual_time, pending.start)
            self.running += 1
            asyncio.get_running_loop().create_task(self._run(pending))
        if not self._heap and not self.running:
            self._finish.clear()  # idle: old finish tags would only penalise returning flows

    async def _run(self, pending: _Pending) -> None:
        try:
            result = await pending.job()
        except Exception as error:
            if not pending.future.done():
                pending.future.set_exception(error)
        else:
            if not pending.future.done():
                pending.future.set_result(result)
        finally:
            self.running -= 1
            self.served[pending.flow] = self.served.get(pending.flow, 0) + 1
            self._pump()
