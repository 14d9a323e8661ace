"""The executive: how a block is applied. ``execute_block`` reads as the table of contents.

1. ``initialize_block``: the header's slot names the author (checked first); the chain's
   recorded spec version picks the release that executes the block (an upgrade governance
   authorized for this block switches first and runs the new release's migrations, see
   :mod:`khala.runtime.upgrades`); then every module's ``on_initialize`` in table order
   (System records number and parent, Authorship the slot, Mq clears the outbound messages,
   the Scheduler runs the calls governance scheduled).
2. ``apply_extrinsic`` for each extrinsic: inherents first (the timestamp), then signed
   transactions. A signed transaction is fully validated before anything is written
   (format, call, signer, era, signature, nonce, fee); then its nonce and fee are charged and
   its call runs in a storage transaction. A failing call is rolled back (with its events) but
   keeps nonce and fee, and is recorded as ``ExtrinsicFailed``.
3. ``finalize_block``: every module's ``on_finalize`` in table order (Timestamp requires its
   inherent; Computation applies new tokenomic parameters and sends the heartbeat challenge);
   System then notes the extrinsic count and stores the events.

The hooks, the handlers and the message routes all come from the release's runtime table
(:mod:`khala.runtime.releases`); nothing here names a module except System, Authorship and
Timestamp, whose roles in a block are the executive's own (as in FRAME).

The node computes the state root from :meth:`State.changes` and checks the extrinsics root.
"""

from __future__ import annotations

from collections.abc import Mapping

from khala.errors import KhalaError
from khala.primitives.types import Header
from khala.runtime.block import Block, BlockError, BlockErrorCode, extrinsics_root
from khala.runtime.composition import Runtime
from khala.runtime.context import (
    BlockEnv,
    Context,
    EventLog,
    NoneOrigin,
    Origin,
    RootOrigin,
    SignedOrigin,
    transaction,
)
from khala.runtime.decoded import DecodedExtrinsics
from khala.runtime.dispatch_table import CallSpec
from khala.runtime.errors import DispatchError, InvalidTransactionCode, InvalidTransactionError
from khala.runtime.execution import ApplyOutcome, BlockExecution, Bound
from khala.runtime.extrinsic import Extrinsic
from khala.runtime.modules.authorship.hooks import find_author, slot_of
from khala.runtime.modules.payment import fees
from khala.runtime.modules.system import events as system_events
from khala.runtime.modules.system import state as system_state
from khala.runtime.modules.system.errors import SystemErrorCode, system_error
from khala.runtime.modules.timestamp import state as timestamp_state
from khala.runtime.outer import RuntimeCall
from khala.runtime.presets import Preset
from khala.runtime.releases import RELEASES, Release, release
from khala.runtime.signatures import SignatureJob
from khala.runtime.state import State, StateBackend
from khala.runtime.types import (
    ApplyExtrinsic,
    DispatchClass,
    DispatchInfo,
    Finalization,
    Initialization,
    Pays,
    Phase,
    Weight,
)
from khala.runtime.upgrades import runtime_for, spec_version_of
from khala.runtime.validity import CheckedTransaction, TransactionChecks


class Executive:
    """Applies blocks and validates transactions for one chain."""

    def __init__(
        self,
        preset: Preset,
        genesis_hash: bytes,
        releases: Mapping[int, Release] = RELEASES,
    ) -> None:
        """Bind the executive to a chain's preset, genesis hash and the releases it may run."""
        self.preset = preset
        self.genesis_hash = genesis_hash
        self.releases = releases
        self._bound = {
            version: Bound(found, found.runtime.routes(), found.runtime.listeners())
            for version, found in releases.items()
        }
        self._checks = TransactionChecks(preset, genesis_hash)
        self._decoded = DecodedExtrinsics()

    def release_at(self, state: State) -> Release:
        """The release the chain in ``state`` runs (its next block's, unless an upgrade is due).

        Raises:
            UnknownRuntimeError: When this package lacks it.
        """
        return release(spec_version_of(state), self.releases)

    def runtime_at(self, state: State) -> Runtime:
        """The module table of :meth:`release_at`."""
        return self.release_at(state).runtime

    def execute_block(
        self, backend: StateBackend, block: Block, *, local_time_ms: int | None = None
    ) -> State:
        """Import a block: apply everything and return its state overlay.

        Args:
            backend: The parent block's state.
            block: The block (without its seal).
            local_time_ms: The importer's clock; when given, a block whose timestamp runs
                more than the preset's drift (30 s) ahead of it is refused.

        Raises:
            BlockError: When any part of the block is invalid.
        """
        execution = self.initialize_block(State(backend), block.header)
        for raw in block.extrinsics:
            try:
                self.apply_extrinsic(execution, raw)
            except InvalidTransactionError as error:
                raise BlockError(BlockErrorCode.INVALID_EXTRINSIC, error.message) from None
        moment = timestamp_state.NOW.get(execution.state)
        if local_time_ms is not None and moment > local_time_ms + self.preset.timestamp_drift_ms:
            raise BlockError(
                BlockErrorCode.BAD_INHERENT,
                f"block time {moment} is more than {self.preset.timestamp_drift_ms} ms ahead of "
                f"the local clock {local_time_ms}",
            )
        self.finalize_block(execution)
        if extrinsics_root(block.extrinsics) != block.header.extrinsics_root:
            raise BlockError(BlockErrorCode.EXTRINSICS_ROOT_MISMATCH, "extrinsics root differs")
        return execution.state

    def initialize_block(self, state: State, header: Header) -> BlockExecution:
        """Start a block: find its author from the slot, then every ``on_initialize``.

        Raises:
            BlockError: ``block.bad_authorship`` for a missing or stale slot, or a failing hook.
        """
        slot = slot_of(header)
        try:
            author = find_author(state, slot)
        except KhalaError as error:
            raise BlockError(BlockErrorCode.BAD_AUTHORSHIP, error.message) from None
        env = BlockEnv(
            header.number, header.parent_hash, author.account, self.genesis_hash, slot=slot
        )
        events = EventLog()

        def upgrade_context(new: Release) -> Context:
            probe = BlockExecution(self._bound[new.spec_version], state, env, events, [])
            return self._context(probe, RootOrigin(), Initialization())

        chosen = runtime_for(state, header.number, self.preset, upgrade_context, self.releases)
        execution = BlockExecution(self._bound[chosen.spec_version], state, env, events, [])
        ctx = self._context(execution, RootOrigin(), Initialization())
        for module, hook in execution.bound.runtime.initialize_hooks():
            try:
                hook(state, ctx)
            except KhalaError as error:
                raise BlockError(
                    BlockErrorCode.BAD_AUTHORSHIP, f"{module.name}.on_initialize: {error.message}"
                ) from None
        return execution

    def apply_extrinsic(self, execution: BlockExecution, raw: bytes) -> ApplyOutcome:
        """Apply one extrinsic.

        Raises:
            InvalidTransactionError: When the extrinsic must not be in the block; nothing was
                written.
        """
        if len(raw) > self.preset.max_extrinsic_length:
            raise InvalidTransactionError(
                InvalidTransactionCode.EXHAUSTS_RESOURCES,
                f"extrinsic of {len(raw)} bytes exceeds {self.preset.max_extrinsic_length}",
            )
        extrinsic = self._decoded.take(raw)
        if extrinsic.signature is None:
            outcome = self._apply_inherent(execution, extrinsic)
        else:
            outcome = self._apply_signed(execution, extrinsic, raw)
        execution.extrinsics.append(raw)
        execution.length += len(raw)
        return outcome

    def finalize_block(self, execution: BlockExecution) -> None:
        """Finish a block: every ``on_finalize``, then the extrinsic count and the events.

        Raises:
            BlockError: ``block.bad_inherent`` when a hook refuses the block (Timestamp when
                the timestamp inherent is missing).
        """
        state = execution.state
        ctx = self._context(execution, RootOrigin(), Finalization())
        for module, hook in execution.bound.runtime.finalize_hooks():
            try:
                hook(state, ctx)
            except DispatchError as error:
                raise BlockError(
                    BlockErrorCode.BAD_INHERENT, f"{module.name}.on_finalize: {error.message}"
                ) from None
        system_state.note_finished_block(state, len(execution.extrinsics), execution.events.records)

    def validate_transaction(
        self, state: State, raw: bytes, block_number: int, parent_hash: bytes = bytes(32)
    ) -> CheckedTransaction:
        """Validate a pool transaction against ``state`` for inclusion at ``block_number``.

        ``parent_hash`` is the hash of the block ``state`` belongs to (``block_number - 1``):
        a mortal era born at that block (what wallets sign against the head) is checked with
        it, since the block's own hash enters ``System.BlockHash`` only in the next block.
        A nonce ahead of the account's is accepted (the pool queues it as future); nothing is
        written to ``state``.

        Raises:
            InvalidTransactionError: For every other problem.
        """
        extrinsic = self._pool_extrinsic(raw)
        env = BlockEnv(block_number, parent_hash, None, self.genesis_hash)
        bound = self._bound[self.release_at(state).spec_version]
        return self._checks.check(
            bound.runtime, bound.release.spec_version, state, env, extrinsic, raw, allow_future=True
        )

    def signature_job(
        self, state: State, raw: bytes, block_number: int, parent_hash: bytes = bytes(32)
    ) -> SignatureJob | None:
        """Return the signature check :meth:`validate_transaction` would run, to run first.

        Record a job that verified with :meth:`record_verified`. None when there is none to
        run: verified before, or the transaction fails an earlier check.
        """
        try:
            extrinsic = self._pool_extrinsic(raw)
        except InvalidTransactionError:
            return None
        env = BlockEnv(block_number, parent_hash, None, self.genesis_hash)
        bound = self._bound[self.release_at(state).spec_version]
        return self._checks.signature_job(
            bound.runtime, bound.release.spec_version, state, env, extrinsic, raw
        )

    def record_verified(self, job: SignatureJob) -> None:
        """Remember that a :meth:`signature_job`'s signature verified."""
        self._checks.record_verified(job)

    def _pool_extrinsic(self, raw: bytes) -> Extrinsic:
        """Decode a pool transaction (kept for its block), refusing oversized or unsigned ones."""
        if len(raw) > self.preset.max_extrinsic_length:
            raise InvalidTransactionError(
                InvalidTransactionCode.EXHAUSTS_RESOURCES,
                f"extrinsic of {len(raw)} bytes is too large",
            )
        extrinsic = self._decoded.decode_and_keep(raw)
        if extrinsic.signature is None:
            raise InvalidTransactionError(
                InvalidTransactionCode.UNSIGNED, "unsigned extrinsics are only valid as inherents"
            )
        return extrinsic

    def _apply_inherent(self, execution: BlockExecution, extrinsic: Extrinsic) -> ApplyOutcome:
        spec = execution.bound.runtime.call_spec(extrinsic.call, self.preset)
        if spec.dispatch_class is not DispatchClass.MANDATORY:
            raise InvalidTransactionError(
                InvalidTransactionCode.UNSIGNED, "only inherents may be unsigned"
            )
        if execution.has_signed:
            raise InvalidTransactionError(
                InvalidTransactionCode.BAD_MANDATORY, "inherents must come before transactions"
            )
        ctx = self._context(execution, NoneOrigin())
        state = execution.state
        try:
            with transaction(state):
                spec.function(state, ctx, extrinsic.call)
        except DispatchError as error:
            raise InvalidTransactionError(
                InvalidTransactionCode.BAD_MANDATORY, f"inherent failed: {error.message}"
            ) from None
        ctx.emit(system_events.ExtrinsicSuccess(_info(spec, spec.weight)))
        execution.weight += spec.weight
        return ApplyOutcome(None)

    def _apply_signed(
        self, execution: BlockExecution, extrinsic: Extrinsic, raw: bytes
    ) -> ApplyOutcome:
        state = execution.state
        bound = execution.bound
        checked = self._checks.check(
            bound.runtime,
            bound.release.spec_version,
            state,
            execution.env,
            extrinsic,
            raw,
            allow_future=False,
        )
        if execution.length + len(raw) > self.preset.max_block_length or (
            execution.weight + checked.weight > self.preset.max_block_weight
        ):
            raise InvalidTransactionError(
                InvalidTransactionCode.EXHAUSTS_RESOURCES, "the block is full"
            )
        ctx = self._context(execution, SignedOrigin(checked.sender))
        system_state.increment_nonce(state, checked.sender)
        fees.charge(state, ctx, checked.sender, checked.fee, checked.tip)
        error: DispatchError | None = None
        try:
            with transaction(state, execution.events):
                checked.spec.function(state, ctx, checked.call)
        except DispatchError as failure:
            error = failure
        fees.settle(state, ctx, checked.sender, checked.fee, checked.tip)
        info = _info(checked.spec, checked.weight)
        if error is None:
            ctx.emit(system_events.ExtrinsicSuccess(info))
        else:
            ctx.emit(system_events.ExtrinsicFailed(error.record(), info))
        execution.has_signed = True
        execution.weight += checked.weight
        return ApplyOutcome(error)

    def _context(
        self, execution: BlockExecution, origin: Origin, phase: Phase | None = None
    ) -> Context:
        phase = phase or ApplyExtrinsic(len(execution.extrinsics))
        runtime = execution.bound.runtime
        preset = self.preset

        def weigh(call: RuntimeCall) -> int:
            """A nested call's weight (0 for calls this chain lacks: they fail at once)."""
            try:
                return runtime.weight_of(call, preset)
            except InvalidTransactionError:
                return 0

        def nested(state: State, ctx: Context, call: RuntimeCall) -> None:
            """Dispatch a call carried by another (sudo); unknown calls become filtered."""
            try:
                spec = runtime.call_spec(call, preset)
            except InvalidTransactionError as error:
                raise system_error(SystemErrorCode.CALL_FILTERED, error.message) from None
            spec.function(state, ctx, call)

        return Context(
            origin,
            execution.env,
            phase,
            execution.events,
            self.preset,
            nested,
            execution.bound.routes,
            execution.bound.listeners,
            weigh,
        )


_INFOS: dict[tuple[int, DispatchClass, Pays], DispatchInfo] = {}
"""Dispatch infos by (weight, class, pays): a block's transfers all report the same one, and
an immutable record can be shared rather than built twice per transaction."""
INFO_CACHE_SIZE = 1024
"""Most dispatch infos remembered (distinct weights are few; cleared when reached)."""


def _info(spec: CallSpec, weight: int) -> DispatchInfo:
    key = (weight, spec.dispatch_class, spec.pays)
    info = _INFOS.get(key)
    if info is None:
        if len(_INFOS) >= INFO_CACHE_SIZE:
            _INFOS.clear()
        info = _INFOS[key] = DispatchInfo(Weight(weight, 0), spec.dispatch_class, spec.pays)
    return info
