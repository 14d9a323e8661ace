"""A cluster's contract state in a trie: what every worker of the cluster agrees on, by root.

Every worker of a cluster replays the same operations in block order, so their states must be
byte-identical; keeping the state in a Substrate trie gives one 32-byte root to compare (and
to check a state handed to a joining worker against). Keys:

=========================================  ===================================================
``code ‖ code_hash``                       wasm
``contract ‖ address``                     SCALE ``StoredContract``
``storage ‖ address ‖ blake2_128(key) ‖ key``  a contract's storage value (a child trie in
                                           ``pallet-contracts``; a prefix here)
``balance ‖ account``                      u128 LE cluster balance
``sequence ‖ SCALE(origin)``               u64 LE next mq sequence of the cluster's and its
                                           contracts' messages (so every worker numbers them
                                           alike, including one that joined later)
=========================================  ===================================================
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from khala.contracts.world import ContractInfo
from khala.primitives.hashing import blake2_128
from khala.primitives.scale import H256, U32, U128, codec_of
from khala.primitives.trie import Layout, MemoryNodeStore, Trie

_CODE = b"\x01code"
_CONTRACT = b"\x02contract"
_STORAGE = b"\x03storage"
_BALANCE = b"\x04balance"
_SEQUENCE = b"\x05sequence"


@dataclass(frozen=True, slots=True)
class StoredContract:
    """:class:`~khala.contracts.world.ContractInfo` as SCALE."""

    code_hash: H256
    """The code it runs."""
    deployer: H256
    """Who instantiated it."""
    storage_items: U32
    """Storage entries."""
    storage_bytes: U32
    """Bytes of keys and values."""
    storage_deposit: U128
    """Deposit held."""


_STORED = codec_of(StoredContract)


class ClusterState:
    """A :class:`~khala.contracts.world.ContractWorld` over a trie.

    The trie is never committed to a store: only the current state is kept, like the worker's
    chain state.
    """

    def __init__(self, items: Iterable[tuple[bytes, bytes]] = ()) -> None:
        """Start empty, or from a state's items (a checkpoint or a transfer from a member)."""
        self.trie = Trie.from_items(items, Layout.V1, MemoryNodeStore())
        """The state."""

    def snapshot(self) -> ClusterState:
        """An O(1) copy (path-copying trie): queries read it while blocks change the original."""
        copy = ClusterState()
        copy.trie = self.trie.fork()
        return copy

    def root(self) -> bytes:
        """The state root every worker of the cluster must share."""
        return self.trie.root_hash()

    def items(self) -> Iterator[tuple[bytes, bytes]]:
        """Every key and value (for checkpoints and state transfer)."""
        return self.trie.items()

    def code(self, code_hash: bytes) -> bytes | None:
        """Return uploaded wasm by hash."""
        return self.trie.get(_CODE + code_hash)

    def put_code(self, code_hash: bytes, wasm: bytes) -> None:
        """Store checked wasm."""
        self.trie.insert(_CODE + code_hash, wasm)

    def contract(self, address: bytes) -> ContractInfo | None:
        """Return the contract at ``address``."""
        raw = self.trie.get(_CONTRACT + address)
        if raw is None:
            return None
        stored = _STORED.decode(raw)
        return ContractInfo(
            bytes(stored.code_hash),
            bytes(stored.deployer),
            stored.storage_items,
            stored.storage_bytes,
            stored.storage_deposit,
        )

    def set_contract(self, address: bytes, info: ContractInfo | None) -> None:
        """Create, update or remove a contract (removal deletes its storage)."""
        if info is None:
            self.trie.delete(_CONTRACT + address)
            prefix = _STORAGE + address
            for key in [key for key, _ in self.trie.items(prefix)]:
                self.trie.delete(key)
            return
        stored = StoredContract(
            info.code_hash,
            info.deployer,
            info.storage_items,
            info.storage_bytes,
            info.storage_deposit,
        )
        self.trie.insert(_CONTRACT + address, _STORED.encode(stored))

    def storage(self, address: bytes, key: bytes) -> bytes | None:
        """Return a contract's storage value."""
        return self.trie.get(_storage_key(address, key))

    def set_storage(self, address: bytes, key: bytes, value: bytes | None) -> None:
        """Write or remove a contract's storage value."""
        if value is None:
            self.trie.delete(_storage_key(address, key))
        else:
            self.trie.insert(_storage_key(address, key), value)

    def balance(self, account: bytes) -> int:
        """An account's cluster balance."""
        raw = self.trie.get(_BALANCE + account)
        return 0 if raw is None else int.from_bytes(raw, "little")

    def set_balance(self, account: bytes, amount: int) -> None:
        """Set an account's cluster balance (zero removes the entry)."""
        if amount:
            self.trie.insert(_BALANCE + account, amount.to_bytes(16, "little"))
        else:
            self.trie.delete(_BALANCE + account)

    def next_sequence(self, origin: bytes) -> int:
        """The next mq sequence of an origin (its SCALE encoding) this cluster sends as."""
        raw = self.trie.get(_SEQUENCE + origin)
        return 0 if raw is None else int.from_bytes(raw, "little")

    def take_sequence(self, origin: bytes) -> int:
        """Return the origin's next sequence and count it used."""
        sequence = self.next_sequence(origin)
        self.trie.insert(_SEQUENCE + origin, (sequence + 1).to_bytes(8, "little"))
        return sequence


def _storage_key(address: bytes, key: bytes) -> bytes:
    return _STORAGE + address + blake2_128(key) + key
