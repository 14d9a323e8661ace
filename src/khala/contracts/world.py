"""What a contract execution reads and writes: code, contracts, their storage, balances.

:class:`ContractWorld` is the interface the host executes against; a cluster's state
implements it (backed by its trie), :class:`MemoryWorld` is the in-memory implementation for
tests and tools. Every frame of an execution works on an :class:`Overlay` of its parent's
world: a successful frame merges its overlay into the parent, a reverted or trapped one drops
it, which is ``pallet-contracts``' "each call is a storage transaction".

Storage keys are what the contract passes (ink!'s 4-byte root keys, or ``root ‖ hash`` for
mappings); how the world lays them out in its trie is its own business.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

_DELETED = object()


@dataclass(frozen=True, slots=True)
class ContractInfo:
    """A contract instance."""

    code_hash: bytes
    """The code it runs."""
    deployer: bytes
    """The account (or contract) that instantiated it."""
    storage_items: int = 0
    """Storage entries it holds (each carries the per-item deposit)."""
    storage_bytes: int = 0
    """Bytes of keys and values it holds (each carries the per-byte deposit)."""
    storage_deposit: int = 0
    """Deposit held for its storage, refunded as storage is freed."""


class ContractWorld(Protocol):
    """The state an execution runs against."""

    def code(self, code_hash: bytes) -> bytes | None:
        """Return uploaded wasm by hash."""
        ...

    def contract(self, address: bytes) -> ContractInfo | None:
        """Return the contract at ``address``, if any."""
        ...

    def set_contract(self, address: bytes, info: ContractInfo | None) -> None:
        """Create, update or (with None) remove a contract and all its storage."""
        ...

    def storage(self, address: bytes, key: bytes) -> bytes | None:
        """Return a contract's storage value."""
        ...

    def set_storage(self, address: bytes, key: bytes, value: bytes | None) -> None:
        """Write (or with None remove) a contract's storage value."""
        ...

    def balance(self, account: bytes) -> int:
        """Return an account's balance in the cluster (0 when unknown)."""
        ...

    def set_balance(self, account: bytes, amount: int) -> None:
        """Set an account's balance in the cluster."""
        ...


class MemoryWorld:
    """A :class:`ContractWorld` in dictionaries."""

    def __init__(self) -> None:
        """Start empty."""
        self.codes: dict[bytes, bytes] = {}
        """Uploaded code by hash."""
        self.contracts: dict[bytes, ContractInfo] = {}
        """Contracts by address."""
        self.items: dict[tuple[bytes, bytes], bytes] = {}
        """Storage by (address, key)."""
        self.balances: dict[bytes, int] = {}
        """Balances by account."""

    def code(self, code_hash: bytes) -> bytes | None:
        """Return uploaded wasm by hash."""
        return self.codes.get(code_hash)

    def contract(self, address: bytes) -> ContractInfo | None:
        """Return the contract at ``address``, if any."""
        return self.contracts.get(address)

    def set_contract(self, address: bytes, info: ContractInfo | None) -> None:
        """Create, update or remove a contract (removal drops its storage)."""
        if info is not None:
            self.contracts[address] = info
            return
        self.contracts.pop(address, None)
        for item in [item for item in self.items if item[0] == address]:
            del self.items[item]

    def storage(self, address: bytes, key: bytes) -> bytes | None:
        """Return a contract's storage value."""
        return self.items.get((address, key))

    def set_storage(self, address: bytes, key: bytes, value: bytes | None) -> None:
        """Write or remove a contract's storage value."""
        if value is None:
            self.items.pop((address, key), None)
        else:
            self.items[(address, key)] = value

    def balance(self, account: bytes) -> int:
        """Return an account's balance (0 when unknown)."""
        return self.balances.get(account, 0)

    def set_balance(self, account: bytes, amount: int) -> None:
        """Set an account's balance."""
        self.balances[account] = amount


class Overlay:
    """Changes on top of another world, merged into it by :meth:`commit` or dropped."""

    def __init__(self, parent: ContractWorld) -> None:
        """Start with no changes over ``parent``."""
        self.parent = parent
        """The world underneath."""
        self._contracts: dict[bytes, object] = {}
        self._items: dict[tuple[bytes, bytes], object] = {}
        self._balances: dict[bytes, int] = {}
        self._removed: set[bytes] = set()

    def code(self, code_hash: bytes) -> bytes | None:
        """Return uploaded wasm by hash (code is never written during an execution)."""
        return self.parent.code(code_hash)

    def contract(self, address: bytes) -> ContractInfo | None:
        """Return the contract at ``address`` as this overlay sees it."""
        found = self._contracts.get(address)
        if found is _DELETED:
            return None
        if found is not None:
            return found  # type: ignore[return-value]
        return self.parent.contract(address)

    def set_contract(self, address: bytes, info: ContractInfo | None) -> None:
        """Record a contract's creation, update or removal (removal hides its storage)."""
        if info is None:
            self._contracts[address] = _DELETED
            self._removed.add(address)
            for item in [item for item in self._items if item[0] == address]:
                del self._items[item]
        else:
            self._contracts[address] = info

    def storage(self, address: bytes, key: bytes) -> bytes | None:
        """Return a storage value as this overlay sees it."""
        found = self._items.get((address, key))
        if found is _DELETED:
            return None
        if found is not None:
            return found  # type: ignore[return-value]
        if address in self._removed:
            return None
        return self.parent.storage(address, key)

    def set_storage(self, address: bytes, key: bytes, value: bytes | None) -> None:
        """Record a storage write or removal."""
        self._items[(address, key)] = _DELETED if value is None else value

    def balance(self, account: bytes) -> int:
        """Return a balance as this overlay sees it."""
        found = self._balances.get(account)
        return self.parent.balance(account) if found is None else found

    def set_balance(self, account: bytes, amount: int) -> None:
        """Record a balance."""
        self._balances[account] = amount

    def commit(self) -> None:
        """Write every change into the parent (removals first, then writes, in order)."""
        parent = self.parent
        for address in self._removed:
            if self._contracts.get(address) is _DELETED:
                parent.set_contract(address, None)
        for address, info in self._contracts.items():
            if info is not _DELETED:
                if address in self._removed:
                    parent.set_contract(address, None)  # removed, then created again
                parent.set_contract(address, info)  # type: ignore[arg-type]
        for (address, key), value in self._items.items():
            parent.set_storage(address, key, None if value is _DELETED else value)  # type: ignore[arg-type]
        for account, amount in self._balances.items():
            parent.set_balance(account, amount)
