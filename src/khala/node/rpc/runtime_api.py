"""RPC methods over the runtime: metadata, ``state_call`` and the storage queries tools make.

``state_call(name, data, at)`` decodes ``data`` with the inputs :data:`RUNTIME_APIS` declares
for ``name``, answers from the state at ``at`` (the head when omitted) and returns the SCALE
result as hex. Unknown names answer ``-32601`` (method not found) with the list of served
ones; undecodable data answers ``-32602``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from khala.node.chain import ChainError
from khala.node.node import Node
from khala.node.rpc.errors import ErrorCode, RpcError, chain_error, invalid_params
from khala.node.rpc.params import hex_bytes, optional_hash, positional
from khala.node.rpc.shapes import hex0x
from khala.primitives.hashing import blake2_256
from khala.primitives.scale import Err, Ok, ScaleError, codec_of
from khala.primitives.trie import Trie
from khala.runtime import apis
from khala.runtime.errors import InvalidTransactionCode, InvalidTransactionError
from khala.runtime.extrinsic import decode_extrinsic
from khala.runtime.metadata import SUPPORTED_VERSIONS, build_metadata
from khala.runtime.modules.payment.fees import compute_fee, fee_parts
from khala.runtime.modules.system.state import account
from khala.runtime.releases import Release
from khala.runtime.state import State
from khala.runtime.types import Pays, Weight

MAX_PAIRS = 1000
"""Most pairs ``state_getPairs`` returns; wider prefixes must use ``state_getKeysPaged``."""
MAX_KEYS = 1000
"""Most keys ``state_getKeys`` returns (the same bound as a page of keys)."""


def dispatch_info(node: Node, raw: bytes, state: State) -> tuple[int, Any, Pays]:
    """An extrinsic's weight, class and whether it pays, on ``state`` (fee exemptions checked).

    Raises:
        InvalidTransactionError: When it does not decode or names a call this chain lacks.
    """
    decoded = decode_extrinsic(raw)
    runtime = node.chain.executive.runtime_at(state)
    spec = runtime.call_spec(decoded.call, node.chain.preset)
    pays = spec.pays
    if spec.fee_exempt is not None and spec.fee_exempt(state, decoded.call):
        pays = Pays.NO
    return runtime.weight_of(decoded.call, node.chain.preset), spec.dispatch_class, pays


class RuntimeApiMethods:
    """``state_getMetadata``, ``state_call`` and storage queries, by name."""

    def __init__(self, node: Node) -> None:
        """Serve ``node``; metadata is built once per (release, metadata version) and kept."""
        self.node = node
        self._metadata: dict[tuple[int, int], bytes] = {}
        self._calls: dict[str, Callable[[Any, State, bytes], Any]] = {
            "Core_version": lambda _, state, __: self._release(state).version_record(),
            "Metadata_metadata": lambda _, state, __: self.metadata(14, self._release(state)),
            "Metadata_metadata_at_version": self._metadata_at_version,
            "Metadata_metadata_versions": lambda *_: list(SUPPORTED_VERSIONS),
            "AccountNonceApi_account_nonce": lambda args, state, _: account(state, args[0]).nonce,
            "TransactionPaymentApi_query_info": self._query_info,
            "TransactionPaymentApi_query_fee_details": self._query_fee_details,
            "TaggedTransactionQueue_validate_transaction": self._validate_transaction,
        }
        self.handlers: dict[str, Callable[[Any], Any]] = {
            "state_getMetadata": self.get_metadata,
            "state_call": self.call,
            "state_callAt": self.call,
            "state_getKeys": self.get_keys,
            "state_getPairs": self.get_pairs,
            "state_getStorageHash": self.get_storage_hash,
            "state_getStorageHashAt": self.get_storage_hash,
            "state_getStorageSize": self.get_storage_size,
            "state_getStorageSizeAt": self.get_storage_size,
        }

    def metadata(self, version: int, release: Release) -> bytes:
        """The encoded metadata of ``version`` of a release, for this chain's preset."""
        key = (release.spec_version, version)
        if key not in self._metadata:
            preset = self.node.chain.preset
            self._metadata[key] = build_metadata(release.runtime, preset, version)
        return self._metadata[key]

    def _release(self, state: State) -> Release:
        return self.node.chain.executive.release_at(state)

    def _trie(self, value: Any) -> tuple[Trie, bytes]:
        block_hash = optional_hash(value)
        if block_hash is None:
            _, head_hash, head_trie = self.node.chain.tip  # one head: state and hash agree
            return head_trie, head_hash
        try:
            trie = self.node.chain.state_at(block_hash)
        except ChainError as error:
            raise chain_error(error) from None
        return trie, block_hash

    def get_metadata(self, params: Any) -> str:
        """Metadata V14 (``RuntimeMetadataPrefixed``) as hex."""
        (at,) = positional(params, 1, "state_getMetadata")
        trie, _ = self._trie(at)
        return hex0x(self.metadata(14, self._release(State(trie))))

    def call(self, params: Any) -> str:
        """Run a runtime API method at a block and return its SCALE result."""
        name, data, at = positional(params, 3, "state_call")
        if not isinstance(name, str):
            raise invalid_params("the method name must be a string")
        method = apis.find_method(name)
        handler = self._calls.get(name)
        if method is None or handler is None:
            served = ", ".join(sorted(self._calls))
            raise RpcError(
                ErrorCode.METHOD_NOT_FOUND, f"runtime API {name} is not served; served: {served}"
            )
        raw = hex_bytes(data if data is not None else "0x", "call data")
        args, offset = [], 0
        try:
            for _, annotation in method.inputs:
                value, offset = codec_of(annotation).decode_at(raw, offset)
                args.append(value)
        except ScaleError as error:
            raise invalid_params(f"{name}: undecodable input: {error.message}") from None
        if offset != len(raw):
            raise invalid_params(f"{name}: {len(raw) - offset} bytes after the inputs")
        trie, block_hash = self._trie(at)
        result = handler(args, State(trie), block_hash)
        return hex0x(codec_of(method.output).encode(result))

    def _metadata_at_version(self, args: list[Any], state: State, _: bytes) -> bytes | None:
        version = args[0]
        if version not in SUPPORTED_VERSIONS:
            return None
        return self.metadata(version, self._release(state))

    def _dispatch_info(self, raw: bytes, state: State) -> tuple[int, Any, Pays]:
        try:
            return dispatch_info(self.node, raw, state)
        except InvalidTransactionError as error:
            raise invalid_params(f"{error.code.value}: {error.message}") from None

    def _query_info(self, args: list[Any], state: State, _: bytes) -> apis.RuntimeDispatchInfo:
        raw, length = args
        weight, dispatch_class, pays = self._dispatch_info(raw, state)
        fee = compute_fee(length, weight, pays)
        return apis.RuntimeDispatchInfo(Weight(weight, 0), dispatch_class, fee)

    def _query_fee_details(self, args: list[Any], state: State, _: bytes) -> apis.FeeDetails:
        raw, length = args
        weight, _, pays = self._dispatch_info(raw, state)
        if pays is Pays.NO:
            return apis.FeeDetails(None, 0)
        return apis.FeeDetails(apis.InclusionFee(*fee_parts(length, weight)), 0)

    def _validate_transaction(self, args: list[Any], state: State, at: bytes) -> Any:
        _, raw, _ = args
        header = self.node.chain.store.header(at)
        number = (header.number if header is not None else self.node.chain.head.number) + 1
        try:
            checked = self.node.chain.executive.validate_transaction(state, raw, number, at)
        except InvalidTransactionError as error:
            return Err(apis.validity_error(InvalidTransactionCode(error.code)))
        on_chain = account(state, checked.sender).nonce
        requires = [] if checked.nonce == on_chain else [checked.sender + _u32(checked.nonce - 1)]
        return Ok(
            apis.ValidTransaction(
                checked.tip,
                requires,
                [checked.sender + _u32(checked.nonce)],
                checked.longevity,
                True,
            )
        )

    def get_keys(self, params: Any) -> list[str]:
        """Every key under a prefix (at most :data:`MAX_KEYS`; page with ``getKeysPaged``)."""
        prefix, at = positional(params, 2, "state_getKeys")
        trie, _ = self._trie(at)
        keys: list[str] = []
        for key, _ in trie.items(hex_bytes(prefix, "prefix")):
            if len(keys) == MAX_KEYS:
                raise invalid_params(
                    f"more than {MAX_KEYS} keys under the prefix; use state_getKeysPaged"
                )
            keys.append(hex0x(key))
        return keys

    def get_pairs(self, params: Any) -> list[list[str]]:
        """Every key and value under a prefix (at most :data:`MAX_PAIRS`)."""
        prefix, at = positional(params, 2, "state_getPairs")
        trie, _ = self._trie(at)
        pairs: list[list[str]] = []
        for key, value in trie.items(hex_bytes(prefix, "prefix")):
            if len(pairs) == MAX_PAIRS:
                raise invalid_params(
                    f"more than {MAX_PAIRS} pairs under the prefix; use state_getKeysPaged"
                )
            pairs.append([hex0x(key), hex0x(value)])
        return pairs

    def get_storage_hash(self, params: Any) -> str | None:
        """The blake2-256 hash of a storage value, or null when absent."""
        key, at = positional(params, 2, "state_getStorageHash")
        value = self._trie(at)[0].get(hex_bytes(key, "storage key"))
        return None if value is None else hex0x(blake2_256(value))

    def get_storage_size(self, params: Any) -> int | None:
        """The length of a storage value in bytes, or null when absent."""
        key, at = positional(params, 2, "state_getStorageSize")
        value = self._trie(at)[0].get(hex_bytes(key, "storage key"))
        return None if value is None else len(value)


def _u32(value: int) -> bytes:
    return value.to_bytes(4, "little")
