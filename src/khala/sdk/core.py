"""Pure helpers shared by the sync and async clients: decoding answers, signing, receipts."""

from __future__ import annotations

from typing import Any

from khala.primitives.crypto import Keypair, keypair_from_uri
from khala.primitives.hashing import blake2_256
from khala.primitives.scale import Err, codec_of
from khala.primitives.ss58 import Ss58Error, Ss58ErrorCode, ss58_decode
from khala.primitives.types import DigestItem, Header
from khala.runtime.dispatch import RuntimeCall, module_error_code
from khala.runtime.events import EventRecord
from khala.runtime.extrinsic import Era, SignedExtra, sign_extrinsic
from khala.runtime.modules.balances.calls import TransferAllowDeath, TransferKeepAlive
from khala.runtime.modules.payment.events import TransactionFeePaid
from khala.runtime.modules.registry.state import WORKERS
from khala.runtime.modules.registry.types import WorkerInfo
from khala.runtime.modules.sudo.events import Sudid, SudoAsDone
from khala.runtime.modules.system.events import ExtrinsicFailed, ExtrinsicSuccess
from khala.runtime.modules.system.state import ACCOUNT, EMPTY_ACCOUNT, EVENTS, AccountInfo
from khala.runtime.types import AddressId, ApplyExtrinsic, ModuleDispatchError
from khala.sdk.errors import SdkError, SdkErrorCode
from khala.sdk.types import BlockInfo, Receipt

EVENTS_KEY = EVENTS.key
"""Storage key of System.Events."""
_DIGEST = codec_of(DigestItem)
_EVENTS = codec_of(list[EventRecord])
_ACCOUNT = codec_of(AccountInfo)


MORTAL_PERIOD = 64
"""Blocks a signed transaction stays valid (as polkadot.js signs): after that, a copy can never
be replayed, even if the account was reaped and its nonce restarted."""


def unhex(value: Any, what: str) -> bytes:
    """Decode a ``0x`` hex string from the node."""
    if not isinstance(value, str) or not value.startswith("0x"):
        raise SdkError(SdkErrorCode.BAD_RESPONSE, f"{what} is not 0x-hex")
    return bytes.fromhex(value[2:])


def account_id(address: str | bytes) -> bytes:
    """Accept an SS58 address, a 0x hex account id, a dev URI such as ``//Bob``, or 32 bytes.

    Raises:
        Ss58Error: For a malformed SS58 address; a short name such as ``Bob`` suggests
            ``//Bob``.
    """
    if isinstance(address, bytes) and len(address) == 32:
        return address
    if isinstance(address, str) and address.startswith("0x") and len(address) == 66:
        try:
            return bytes.fromhex(address[2:])
        except ValueError:
            pass
    if isinstance(address, str) and address.startswith("//"):
        return keypair_from_uri(address).public_key
    if isinstance(address, str):
        try:
            return ss58_decode(address)[1]
        except Ss58Error as error:
            if address.isalpha() and len(address) < 20:
                raise Ss58Error(
                    Ss58ErrorCode(error.code),
                    f"{address!r} is not an address; did you mean the dev account //{address}?",
                ) from None
            raise
    raise SdkError(SdkErrorCode.BAD_RESPONSE, "an account is 32 bytes, 0x-hex or SS58")


def header_from_json(value: Any) -> Header:
    """Parse a ``chain_getHeader`` result."""
    try:
        return Header(
            unhex(value["parentHash"], "parentHash"),
            int(value["number"], 16),
            unhex(value["stateRoot"], "stateRoot"),
            unhex(value["extrinsicsRoot"], "extrinsicsRoot"),
            [_DIGEST.decode(unhex(log, "digest log")) for log in value["digest"]["logs"]],
        )
    except (KeyError, TypeError, ValueError) as error:
        raise SdkError(SdkErrorCode.BAD_RESPONSE, f"malformed header: {error}") from None


def block_from_json(block_hash: bytes, value: Any) -> BlockInfo:
    """Parse a ``chain_getBlock`` result."""
    try:
        header = header_from_json(value["block"]["header"])
        extrinsics = [unhex(raw, "extrinsic") for raw in value["block"]["extrinsics"]]
        justifications = value.get("justifications") or []
        justification = unhex(justifications[0][1], "justification") if justifications else None
    except (KeyError, TypeError, IndexError) as error:
        raise SdkError(SdkErrorCode.BAD_RESPONSE, f"malformed block: {error}") from None
    return BlockInfo(block_hash, header, extrinsics, justification)


def account_key(who: bytes) -> bytes:
    """Storage key of ``System.Account[who]``."""
    return ACCOUNT.key_of(who)


def decode_account(raw_hex: Any) -> AccountInfo:
    """Decode a ``System.Account`` value (the empty account for null)."""
    if raw_hex is None:
        return EMPTY_ACCOUNT
    info: AccountInfo = _ACCOUNT.decode(unhex(raw_hex, "account"))
    return info


def transfer_call(dest: bytes, amount: int, *, keep_alive: bool) -> RuntimeCall:
    """Build a Balances transfer call."""
    if keep_alive:
        return TransferKeepAlive(AddressId(dest), amount)
    return TransferAllowDeath(AddressId(dest), amount)


def sign(
    pair: Keypair,
    call: RuntimeCall,
    *,
    nonce: int,
    tip: int,
    genesis_hash: bytes,
    spec_version: int,
    transaction_version: int,
    era: Era | None = None,
    era_block_hash: bytes | None = None,
) -> bytes:
    """Sign a transaction: immortal unless ``era`` (and its birth block's hash) are given."""
    return sign_extrinsic(
        pair,
        call,
        SignedExtra(era or Era(), nonce, tip),
        spec_version=spec_version,
        transaction_version=transaction_version,
        genesis_hash=genesis_hash,
        era_block_hash=era_block_hash or genesis_hash,
    )


def mortal_era(head_number: int) -> Era:
    """The era the SDK signs with: :data:`MORTAL_PERIOD` blocks born at the head."""
    return Era.mortal(MORTAL_PERIOD, head_number)


def _error_code(failure: Any) -> str:
    if isinstance(failure, ModuleDispatchError):
        return module_error_code(failure.error.index, failure.error.error[0])
    return type(failure).__name__


def receipt_from_block(tx_hash: bytes, block: BlockInfo, events_hex: Any) -> Receipt | None:
    """Return the transaction's receipt if ``block`` includes it, else None."""
    for index, raw in enumerate(block.extrinsics):
        if blake2_256(raw) != tx_hash:
            continue
        records = _EVENTS.decode(unhex(events_hex, "events")) if events_hex else []
        mine = [
            record.event
            for record in records
            if isinstance(record.phase, ApplyExtrinsic) and record.phase.index == index
        ]
        success = any(isinstance(event, ExtrinsicSuccess) for event in mine)
        error = None
        fee = None
        for event in mine:
            if isinstance(event, ExtrinsicFailed):
                error = _error_code(event.dispatch_error)
            if isinstance(event, TransactionFeePaid):
                fee = event.actual_fee
            if isinstance(event, Sudid | SudoAsDone) and isinstance(event.sudo_result, Err):
                success = False  # the sudo extrinsic succeeded; the call it carried did not
                error = _error_code(event.sudo_result.error)
        return Receipt(tx_hash, block.block_hash, block.number, success, error, mine, fee)
    return None


WORKERS_PREFIX = WORKERS.prefix
"""Storage prefix of Registry.Workers."""
_WORKER = codec_of(WorkerInfo)


def decode_worker(raw_hex: Any) -> WorkerInfo:
    """Decode a Registry.Workers value."""
    info: WorkerInfo = _WORKER.decode(unhex(raw_hex, "worker"))
    return info
