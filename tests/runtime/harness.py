"""A runtime harness: an in-memory chain driven block by block, with signing helpers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from khala.primitives.crypto import Keypair, KeyScheme, keypair_from_uri
from khala.primitives.trie import Layout, MemoryNodeStore, Trie
from khala.primitives.types import Header
from khala.runtime.builder import BuiltBlock, build_block
from khala.runtime.dispatch import RuntimeCall
from khala.runtime.executive import Executive
from khala.runtime.extrinsic import Era, SignedExtra, sign_extrinsic
from khala.runtime.genesis import GenesisConfig, build_genesis_storage, genesis_block_header
from khala.runtime.modules.authorship.state import Authority
from khala.runtime.modules.balances.calls import TransferAllowDeath, TransferKeepAlive
from khala.runtime.modules.system.state import EVENTS, AccountInfo, account
from khala.runtime.presets import DEV, Preset
from khala.runtime.state import State
from khala.runtime.types import AddressId
from khala.runtime.version import SPEC_VERSION, TRANSACTION_VERSION

PHA = 10**12
START_MS = 1_700_000_000_000


def ed(name: str) -> Keypair:
    """A deterministic-signing ed25519 account (so extrinsic bytes repeat exactly)."""
    return keypair_from_uri(f"//{name}", KeyScheme.ED25519)


def sr(name: str) -> Keypair:
    """An sr25519 account."""
    return keypair_from_uri(f"//{name}")


@dataclass
class Harness:
    """A chain in memory: genesis, then blocks built from given extrinsics."""

    endowed: dict[bytes, int]
    preset: Preset = DEV
    sudo: bytes | None = None
    genesis_extra: dict[bytes, bytes] = field(default_factory=dict)
    """Raw storage added to genesis (e.g. pre-registered workers)."""
    genesis_spec_version: int = SPEC_VERSION
    """The runtime release genesis starts with."""
    spec_version: int = SPEC_VERSION
    """The spec version transactions are signed for (follow the chain after an upgrade)."""
    trie: Trie = field(init=False)
    head: Header = field(init=False)
    executive: Executive = field(init=False)
    slot: int = 0
    now_ms: int = START_MS

    def __post_init__(self) -> None:
        authority = Authority(ed("Alice").public_key, ed("Alice").public_key)
        config = GenesisConfig(
            self.preset,
            tuple(self.endowed.items()),
            (authority,),
            self.sudo,
            spec_version=self.genesis_spec_version,
        )
        storage = {**build_genesis_storage(config), **self.genesis_extra}
        self.head = genesis_block_header(storage)
        self.genesis_hash = self.head.hash()
        self.trie = Trie.from_items(storage.items(), Layout.V1, MemoryNodeStore())
        self.trie.commit()
        self.executive = Executive(self.preset, self.genesis_hash)

    def sign(
        self,
        pair: Keypair,
        call: RuntimeCall,
        *,
        nonce: int,
        tip: int = 0,
        era: Era | None = None,
        genesis_hash: bytes | None = None,
        era_hash: bytes | None = None,
    ) -> bytes:
        return sign_extrinsic(
            pair,
            call,
            SignedExtra(era or Era(), nonce, tip),
            spec_version=self.spec_version,
            transaction_version=TRANSACTION_VERSION,
            genesis_hash=genesis_hash or self.genesis_hash,
            era_block_hash=era_hash or genesis_hash or self.genesis_hash,
        )

    def transfer(
        self, pair: Keypair, dest: Keypair, amount: int, *, nonce: int, keep_alive: bool = False
    ) -> bytes:
        cls: Any = TransferKeepAlive if keep_alive else TransferAllowDeath
        return self.sign(pair, cls(AddressId(dest.public_key), amount), nonce=nonce)

    def block(self, extrinsics: list[bytes]) -> BuiltBlock:
        self.slot += 1
        self.now_ms += self.preset.block_time_ms
        built = build_block(
            self.executive,
            self.trie,
            self.head,
            slot=self.slot,
            now_ms=self.now_ms,
            candidates=extrinsics,
        )
        self.trie.commit()
        self.head = built.block.header
        return built

    def state(self) -> State:
        return State(self.trie)

    def account(self, pair: Keypair) -> AccountInfo:
        return account(self.state(), pair.public_key)

    def free(self, pair: Keypair) -> int:
        return self.account(pair).data.free

    def events(self) -> list[Any]:
        return [record.event for record in EVENTS.get(self.state())]
