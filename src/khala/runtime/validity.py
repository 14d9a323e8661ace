"""Checking a signed transaction before anything is written (FRAME's signed extensions).

Format, call, signer, era, signature, nonce and fee, in that order; a transaction that fails
any of them is refused without a fee.
"""

from __future__ import annotations

from dataclasses import dataclass

from khala.primitives.records import maker
from khala.runtime.composition import Runtime
from khala.runtime.context import BlockEnv
from khala.runtime.dispatch_table import CallSpec
from khala.runtime.errors import InvalidTransactionCode, InvalidTransactionError
from khala.runtime.extrinsic import Extrinsic, ExtrinsicSignature
from khala.runtime.modules.payment import fees
from khala.runtime.modules.system import state as system_state
from khala.runtime.outer import RuntimeCall
from khala.runtime.presets import Preset
from khala.runtime.signatures import SignatureJob, SignatureVerifier
from khala.runtime.state import State
from khala.runtime.types import DispatchClass, Pays


@dataclass(frozen=True, slots=True)
class CheckedTransaction:
    """A signed transaction that passed every check."""

    sender: bytes
    """The signer's account."""
    nonce: int
    """Its nonce."""
    tip: int
    """Its tip."""
    fee: int
    """Its fee, without the tip."""
    spec: CallSpec
    """The call's handler and costs."""
    weight: int
    """Its weight with the calls it dispatches (what the block and the fee account for)."""
    call: RuntimeCall
    """The call."""
    longevity: int
    """Blocks until the era ends."""


_NO_HASH = bytes(32)
"""What an unknown block hash reads as (``System.BlockHash`` of a forgotten block)."""
_CHECKED = maker(CheckedTransaction)
"""Builds a :class:`CheckedTransaction`, twice per transfer (:mod:`khala.primitives.records`)."""


class TransactionChecks:
    """The checks of one chain's signed transactions (signature results are cached)."""

    def __init__(self, preset: Preset, genesis_hash: bytes) -> None:
        """Bind to the chain's preset and genesis hash."""
        self.preset = preset
        self.genesis_hash = genesis_hash
        self._signatures = SignatureVerifier(genesis_hash)

    def check(
        self,
        runtime: Runtime,
        spec_version: int,
        state: State,
        env: BlockEnv,
        extrinsic: Extrinsic,
        raw: bytes,
        *,
        allow_future: bool,
    ) -> CheckedTransaction:
        """Check a signed extrinsic under ``runtime`` (release ``spec_version``) on ``state``.

        ``allow_future`` accepts a nonce ahead of the account's (the pool queues it).

        Raises:
            InvalidTransactionError: Naming the first check that failed; nothing was written.
        """
        signature, spec, sender, era_hash = self._signer_and_era(runtime, state, env, extrinsic)
        extra = signature.extra
        self._signatures.verify(extrinsic.call, signature, sender, era_hash, raw, spec_version)
        nonce = system_state.account(state, sender).nonce
        if extra.nonce < nonce:
            raise InvalidTransactionError(
                InvalidTransactionCode.STALE,
                f"nonce {extra.nonce} was already used; next is {nonce}",
            )
        if extra.nonce > nonce and not allow_future:
            raise InvalidTransactionError(
                InvalidTransactionCode.FUTURE, f"nonce {extra.nonce} is ahead of {nonce}"
            )
        if spec.validate is not None:
            spec.validate(state, extrinsic.call)
        if spec.waits is not None and not allow_future and spec.waits(state, extrinsic.call):
            raise InvalidTransactionError(
                InvalidTransactionCode.FUTURE, "the call waits for an earlier one to apply first"
            )
        call = extrinsic.call
        pays = spec.pays
        if spec.fee_exempt is not None and spec.fee_exempt(state, call):
            pays = Pays.NO
        weight = runtime.weight_of(call, self.preset)
        fee = fees.compute_fee(len(raw), weight, pays)
        fees.check_payable(state, sender, fee + extra.tip)
        return _CHECKED(
            sender,
            extra.nonce,
            extra.tip,
            fee,
            spec,
            weight,
            extrinsic.call,
            extra.era.death(env.number) - env.number,
        )

    def signature_job(
        self,
        runtime: Runtime,
        spec_version: int,
        state: State,
        env: BlockEnv,
        extrinsic: Extrinsic,
        raw: bytes,
    ) -> SignatureJob | None:
        """Return the signature check :meth:`check` would run, to run elsewhere first.

        None when there is none to run: verified before, or a check before it fails.
        """
        try:
            signature, _, sender, era_hash = self._signer_and_era(runtime, state, env, extrinsic)
        except InvalidTransactionError:
            return None
        return self._signatures.job(extrinsic.call, signature, sender, era_hash, raw, spec_version)

    def record_verified(self, job: SignatureJob) -> None:
        """Remember a job's signature as verified (see :class:`SignatureJob`)."""
        self._signatures.record_verified(job)

    def _signer_and_era(
        self, runtime: Runtime, state: State, env: BlockEnv, extrinsic: Extrinsic
    ) -> tuple[ExtrinsicSignature, CallSpec, bytes, bytes]:
        """Run the checks before the signature's; return (signature, spec, sender, era hash).

        Signed, not an inherent's call, an account signer, an era this chain knows.
        """
        signature = extrinsic.signature
        if signature is None:
            raise InvalidTransactionError(InvalidTransactionCode.UNSIGNED, "not signed")
        spec = runtime.call_spec(extrinsic.call, self.preset)
        if spec.dispatch_class is DispatchClass.MANDATORY:
            raise InvalidTransactionError(
                InvalidTransactionCode.MANDATORY_VALIDATION, "inherents cannot be signed"
            )
        signer = signature.signer
        sender = getattr(signer, "account", None)
        if not isinstance(sender, bytes):
            raise InvalidTransactionError(
                InvalidTransactionCode.BAD_SIGNER, "the signer must be an account id"
            )
        current = env.number
        birth = signature.extra.era.birth(current)
        if birth == 0:
            era_hash = self.genesis_hash
        elif birth == current - 1 and env.parent_hash != _NO_HASH:
            era_hash = env.parent_hash
        else:
            era_hash = system_state.block_hash(state, birth)
        if birth > current or era_hash == _NO_HASH:
            raise InvalidTransactionError(
                InvalidTransactionCode.ANCIENT_BIRTH_BLOCK,
                f"the era starts at block {birth}, whose hash this chain does not know",
            )
        return signature, spec, sender, era_hash
