"""The RPC methods: Substrate's names, parameters and result shapes over a :class:`Node`.

Subscriptions (``chain_subscribe*``, ``author_submitAndWatchExtrinsic``) live in the server,
which owns the WebSocket connections; everything else is a plain method here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from khala import __version__
from khala.node.chain import ChainError
from khala.node.node import Node
from khala.node.rpc.errors import RpcError, chain_error, invalid_params
from khala.node.rpc.params import (
    account_id,
    block_number,
    count,
    hex_bytes,
    optional_hash,
    positional,
)
from khala.node.rpc.runtime_api import RuntimeApiMethods, dispatch_info
from khala.node.rpc.shapes import block_json, header_json, hex0x
from khala.node.txpool import RPC_CODES, PoolError, PoolErrorCode, RpcCode
from khala.primitives.hashing import blake2_256
from khala.primitives.scale import codec_of
from khala.primitives.ss58 import KHALA_PREFIX, base58_encode
from khala.primitives.trie import Trie, generate_proof
from khala.primitives.types import Header
from khala.primitives.units import DECIMALS, SYMBOL
from khala.runtime.errors import InvalidTransactionError
from khala.runtime.modules.payment.fees import compute_fee
from khala.runtime.presets import PresetName
from khala.runtime.types import DispatchClass

PEER_ID_PREFIX = bytes((0x00, 0x24, 0x08, 0x01, 0x12, 0x20))
"""libp2p's ed25519 PeerId: identity multihash (0x00, 36 bytes) of the protobuf public key
(type 1 = ed25519, 32 bytes); base58 of it starts with ``12D3KooW``."""


def peer_id(public_key: bytes) -> str:
    """The libp2p PeerId of an ed25519 key, as Substrate nodes print theirs."""
    return base58_encode(PEER_ID_PREFIX + public_key)


MAX_PENDING_BYTES = 4 * 1024 * 1024
"""``author_pendingExtrinsics`` answers at most this many bytes of transactions (8 MiB of hex),
the oldest first, so a full pool never makes an answer over the response limit."""
MAX_KEYS_PAGE = 1000
"""Most keys ``state_getKeysPaged`` returns per call (Substrate's limit)."""
MAX_SYNC_BLOCKS = 1000
"""Most blocks one ``khala_syncBlocks`` call returns."""
MAX_SYNC_BYTES = 8 * 1024 * 1024
"""``khala_syncBlocks`` stops adding blocks once its answer reaches about this many bytes."""

TRANSIENT_REFUSALS = frozenset(
    {PoolErrorCode.POOL_FULL, PoolErrorCode.FUTURE_LIMIT, PoolErrorCode.TOO_FAR_IN_FUTURE}
)
"""Pool refusals a relayed transaction may overcome later: the relaying node keeps it."""
MAX_RELAYED = 512
"""Most transactions one ``khala_relayExtrinsics`` call carries (the relaying node's batch)."""

_HEADER = codec_of(Header)
Handler = Callable[[Any], Any]
"""A method: takes the request's params, returns the JSON result."""


def transaction_error(error: InvalidTransactionError | PoolError) -> RpcError:
    """Map a refusal to Substrate's author error codes."""
    if isinstance(error, PoolError):
        return RpcError(RPC_CODES[PoolErrorCode(error.code)], error.message, error.code.value)
    return RpcError(
        RpcCode.INVALID_TRANSACTION, "Invalid Transaction", f"{error.code.value}: {error.message}"
    )


class RpcMethods:
    """Every non-subscription method, by name."""

    def __init__(self, node: Node) -> None:
        """Serve ``node``."""
        self.node = node
        self.max_pending_bytes = MAX_PENDING_BYTES
        self.handlers: dict[str, Handler] = {
            "system_name": lambda _: "khala",
            "system_version": lambda _: __version__,
            "system_chain": self.system_chain,
            "system_chainType": self.system_chain_type,
            "system_properties": lambda _: {
                "ss58Format": KHALA_PREFIX,
                "tokenDecimals": DECIMALS,
                "tokenSymbol": SYMBOL,
            },
            "system_health": lambda _: {"peers": 0, "isSyncing": False, "shouldHavePeers": False},
            "system_accountNextIndex": self.account_next_index,
            "chain_getBlockHash": self.get_block_hash,
            "chain_getHeader": self.get_header,
            "chain_getBlock": self.get_block,
            "chain_getFinalizedHead": self.get_finalized_head,
            "chain_getFinalisedHead": self.get_finalized_head,
            "state_getStorage": self.get_storage,
            "state_getStorageAt": self.get_storage,
            "state_getKeysPaged": self.get_keys_paged,
            "state_getReadProof": self.get_read_proof,
            "state_getRuntimeVersion": self.get_runtime_version,
            "chain_getRuntimeVersion": self.get_runtime_version,
            "state_queryStorageAt": self.query_storage_at,
            "author_submitExtrinsic": self.submit_extrinsic,
            "author_pendingExtrinsics": self.pending_extrinsics,
            "payment_queryInfo": self.query_info,
            "khala_syncBlocks": self.sync_blocks,
            "khala_relayExtrinsics": self.relay_extrinsics,
            "chain_getHead": self.get_block_hash,
            "system_peers": lambda _: [],
            "system_localPeerId": lambda _: peer_id(node.authority.public_key),
            "system_nodeRoles": lambda _: ["Authority"],
            "system_localListenAddresses": lambda _: [],
            "system_syncState": self.sync_state,
            **RuntimeApiMethods(node).handlers,
        }

    def names(self) -> list[str]:
        """Every method name, for ``rpc_methods``."""
        return sorted(self.handlers)

    def pending_extrinsics(self, params: Any) -> list[str]:
        """The pooled transactions, oldest first, up to :data:`MAX_PENDING_BYTES` of them."""
        positional(params, 0, "author_pendingExtrinsics")
        answer: list[str] = []
        size = 0
        for raw in self.node.pool.pending():
            size += len(raw)
            if size > self.max_pending_bytes:
                break
            answer.append(hex0x(raw))
        return answer

    def sync_state(self, params: Any) -> dict[str, int]:
        """Where syncing stands: a single node is always at its own head."""
        positional(params, 0, "system_syncState")
        head = self.node.chain.head.number
        return {"startingBlock": 0, "currentBlock": head, "highestBlock": head}

    def system_chain(self, params: Any) -> str:
        """The chain's name."""
        positional(params, 0, "system_chain")
        dev = self.node.chain.preset.name is PresetName.DEV
        return "Khala Development" if dev else "Khala"

    def system_chain_type(self, params: Any) -> str:
        """``Development`` or ``Live``."""
        positional(params, 0, "system_chainType")
        return "Development" if self.node.chain.preset.name is PresetName.DEV else "Live"

    def account_next_index(self, params: Any) -> int:
        """The next nonce of an account, counting its pooled transactions."""
        (address,) = positional(params, 1, "system_accountNextIndex")
        return self.node.next_nonce(account_id(address))

    def _hash_param(self, value: Any) -> bytes:
        block_hash = optional_hash(value)
        return self.node.chain.head_hash if block_hash is None else block_hash

    def _trie(self, value: Any) -> Trie:
        try:
            return self.node.chain.state_at(optional_hash(value))
        except ChainError as error:
            raise chain_error(error) from None

    def get_block_hash(self, params: Any) -> str | None:
        """The canonical hash at a height (the head when omitted)."""
        (number,) = positional(params, 1, "chain_getBlockHash")
        if number is None:
            return hex0x(self.node.chain.head_hash)
        found = self.node.chain.store.hash_at(block_number(number))
        return None if found is None else hex0x(found)

    def get_header(self, params: Any) -> dict[str, Any] | None:
        """A header by hash (the head when omitted); null when unknown."""
        (block_hash,) = positional(params, 1, "chain_getHeader")
        header = self.node.chain.store.header(self._hash_param(block_hash))
        return None if header is None else header_json(header)

    def get_block(self, params: Any) -> dict[str, Any] | None:
        """A block with its justification; null when unknown."""
        (value,) = positional(params, 1, "chain_getBlock")
        block_hash = self._hash_param(value)
        store = self.node.chain.store
        header = store.header(block_hash)
        if header is None:
            return None
        return block_json(header, store.body(block_hash) or [], store.justification(block_hash))

    def get_finalized_head(self, params: Any) -> str:
        """The last finalized block's hash."""
        positional(params, 0, "chain_getFinalizedHead")
        finalized = self.node.chain.store.finalized_hash() or self.node.chain.head_hash
        return hex0x(finalized)

    def get_storage(self, params: Any) -> str | None:
        """A storage value at a block (the head when omitted)."""
        key, at = positional(params, 2, "state_getStorage")
        value = self._trie(at).get(hex_bytes(key, "storage key"))
        return None if value is None else hex0x(value)

    def get_keys_paged(self, params: Any) -> list[str]:
        """Up to ``count`` keys under ``prefix`` after ``start_key``."""
        prefix, number, start, at = positional(params, 4, "state_getKeysPaged")
        prefix_bytes = hex_bytes(prefix, "prefix") if prefix is not None else b""
        limit = count(number, "count", MAX_KEYS_PAGE)
        start_key = hex_bytes(start, "start key") if start is not None else b""
        keys: list[str] = []
        for key, _ in self._trie(at).items(prefix_bytes):
            if key <= start_key:
                continue
            keys.append(hex0x(key))
            if len(keys) == limit:
                break
        return keys

    def get_read_proof(self, params: Any) -> dict[str, Any]:
        """A read proof of keys at a block."""
        keys, at = positional(params, 2, "state_getReadProof")
        if not isinstance(keys, list):
            raise invalid_params("keys must be an array of hex storage keys")
        parsed = [hex_bytes(key, "storage key") for key in keys]
        trie = self._trie(at)
        proof = generate_proof(trie, parsed)
        return {"at": hex0x(self._hash_param(at)), "proof": [hex0x(node) for node in proof]}

    def get_runtime_version(self, params: Any) -> dict[str, Any]:
        """The runtime version at a block (the head by default)."""
        (at,) = positional(params, 1, "state_getRuntimeVersion")
        try:
            return self.node.chain.release_at(optional_hash(at)).version_json()
        except ChainError as error:
            raise chain_error(error) from None

    def query_storage_at(self, params: Any) -> list[dict[str, Any]]:
        """Several storage values at one block."""
        keys, at = positional(params, 2, "state_queryStorageAt")
        if not isinstance(keys, list):
            raise invalid_params("keys must be an array of hex storage keys")
        trie = self._trie(at)
        changes = []
        for key in keys:
            value = trie.get(hex_bytes(key, "storage key"))
            changes.append([key, None if value is None else hex0x(value)])
        return [{"block": hex0x(self._hash_param(at)), "changes": changes}]

    def submit_extrinsic(self, params: Any) -> str:
        """Validate and pool a transaction; returns its hash."""
        (extrinsic,) = positional(params, 1, "author_submitExtrinsic")
        raw = hex_bytes(extrinsic, "extrinsic")
        try:
            return hex0x(self.node.submit(raw))
        except (InvalidTransactionError, PoolError) as error:
            raise transaction_error(error) from None

    def relay_extrinsics(self, params: Any) -> dict[str, Any]:
        """Pool transactions another node of a cluster accepted.

        They are validated like any submission and not relayed again. Answers how many were
        new, and the positions of those refused for now (full pool, too many future
        transactions) that the sender should offer again later; other refusals (already
        pooled, already included) are final and not errors.
        """
        (extrinsics,) = positional(params, 1, "khala_relayExtrinsics")
        if not isinstance(extrinsics, list) or len(extrinsics) > MAX_RELAYED:
            raise invalid_params(f"extrinsics must be an array of at most {MAX_RELAYED}")
        accepted = 0
        retry = []
        for index, extrinsic in enumerate(extrinsics):
            raw = hex_bytes(extrinsic, "extrinsic")
            try:
                self.node.submit(raw, relay=False)
            except PoolError as error:
                if error.code in TRANSIENT_REFUSALS:
                    retry.append(index)
                continue
            except InvalidTransactionError:
                continue
            accepted += 1
        return {"accepted": accepted, "retry": retry}

    def query_info(self, params: Any) -> dict[str, Any]:
        """The fee an extrinsic would pay (``payment_queryInfo``)."""
        extrinsic, _ = positional(params, 2, "payment_queryInfo")
        raw = hex_bytes(extrinsic, "extrinsic")
        try:
            weight, dispatch_class, pays = dispatch_info(
                self.node, raw, self.node.chain.best_state()
            )
        except InvalidTransactionError as error:
            raise transaction_error(error) from None
        return {
            "weight": {"refTime": weight, "proofSize": 0},
            "class": DispatchClass(dispatch_class).name.lower(),
            "partialFee": str(compute_fee(len(raw), weight, pays)),
        }

    def sync_blocks(self, params: Any) -> list[dict[str, Any]]:
        """Finalized blocks from ``from`` for workers: header, justification, storage changes.

        Returns at most ``count`` (≤ 1000) blocks and stops early near 8 MiB; fewer (or none)
        when the finalized head is reached.
        """
        start, number = positional(params, 2, "khala_syncBlocks")
        first = block_number(start)
        limit = count(number, "count", MAX_SYNC_BLOCKS)
        store = self.node.chain.store
        finalized = store.finalized_hash()
        final_header = store.header(finalized) if finalized is not None else None
        last = final_header.number if final_header is not None else 0
        blocks: list[dict[str, Any]] = []
        size = 0
        for height in range(first, min(first + limit, last + 1)):
            block_hash = store.hash_at(height)
            header = store.header(block_hash) if block_hash is not None else None
            if block_hash is None or header is None:
                break
            changes = store.changes(block_hash) or {}
            justification = store.justification(block_hash)
            entry = {
                "number": height,
                "header": hex0x(_HEADER.encode(header)),
                "justification": None if justification is None else hex0x(justification),
                "changes": [
                    [hex0x(key), None if value is None else hex0x(value)]
                    for key, value in sorted(changes.items())
                ],
            }
            blocks.append(entry)
            size += sum(len(key) + len(value or b"") for key, value in changes.items()) * 2 + 512
            if size >= MAX_SYNC_BYTES:
                break
        return blocks

    def tx_hash(self, raw: bytes) -> bytes:
        """The id of an extrinsic."""
        return blake2_256(raw)
