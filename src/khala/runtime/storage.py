"""Typed storage items: values, maps and double maps with Substrate's key layout.

Each item knows its module and name, its key hashers and its SCALE types, so modules read and
write Python values while storage holds exactly what FRAME would: the value under
``twox128(module) ++ twox128(item) ++ hasher(key)...``. ``default`` is what a missing entry
reads as (FRAME's ``ValueQuery``); declare ``V | None`` with ``default=None`` for
``OptionQuery``: the value is then stored as plain ``V`` and writing None removes it, exactly
as FRAME stores optional items.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Generic, TypeVar

from khala.primitives.hashing import StorageHasher, hash_key, storage_prefix
from khala.primitives.scale import Codec, codec_of
from khala.primitives.scale.containers import OptionCodec
from khala.primitives.scale.immutability import is_immutable
from khala.runtime.state import State

K = TypeVar("K")
K2 = TypeVar("K2")
V = TypeVar("V")

_CONCAT_PREFIX = {
    StorageHasher.BLAKE2_128_CONCAT: 16,
    StorageHasher.TWOX64_CONCAT: 8,
    StorageHasher.IDENTITY: 0,
}
"""Bytes of hash before the raw key, for hashers whose keys can be read back."""


DECODE_CACHE_SIZE = 8_192
"""Decoded values each item remembers by their bytes: the accounts of several blocks of
transfers, bounded for memory."""
_NO_CACHE: dict[bytes, object] = {}
"""Marks an item whose values may be mutable (lists, maps): decoded afresh every time."""
_MISSING = object()
"""Cache-miss marker (a cached value may itself be None)."""


class StorageItem(Generic[V]):
    """What every storage item has: module, name, value codec and the default of absent entries.

    Subclasses add their keys; :meth:`keys` describes them for the runtime metadata.
    """

    def __init__(self, module: str, name: str, value_type: Any, default: V) -> None:
        """Declare the item's value type (any SCALE annotation) and default."""
        self.module = module
        self.name = name
        self.prefix = storage_prefix(module, name)
        self.value_type = value_type
        codec: Codec[Any] = codec_of(value_type)
        # FRAME's OptionQuery: an `X | None` item stores X itself, and None means "absent".
        self.optional = isinstance(codec, OptionCodec) and default is None
        self.value_codec: Codec[Any] = (
            codec.item if isinstance(codec, OptionCodec) and self.optional else codec
        )
        self.default = default
        self._decoded: dict[bytes, object] | None = None  # decided on first use: see decode_value

    def keys(self) -> tuple[tuple[StorageHasher, Codec[Any]], ...]:
        """Each key's hasher and codec, in order (none for a plain value)."""
        return ()

    def default_bytes(self) -> bytes:
        """What an absent entry reads as, encoded (empty for optional items), for metadata."""
        if self.optional:
            return b"\x00"
        return self.value_codec.encode(self.default)

    def decode_value(self, raw: bytes | None) -> V:
        """The item's value from its stored bytes (the default when absent), e.g. read over RPC.

        Values of deeply immutable types are remembered by their bytes (a transfer reads each
        account several times): equal bytes always decode to equal values, and nobody can
        change a shared immutable one, so the cache changes no result.
        """
        if raw is None:
            return self.default
        cache = self._decoded
        if cache is None:
            cache = self._decoded = {} if is_immutable(self.value_codec) else _NO_CACHE
        if cache is _NO_CACHE:
            decoded: V = self.value_codec.decode(raw)
            return decoded
        value = cache.get(raw, _MISSING)
        if value is _MISSING:
            value = self.value_codec.decode(raw)
            if len(cache) >= DECODE_CACHE_SIZE:
                cache.clear()  # one operation: safe with the sealing thread
            cache[raw] = value
        return value  # type: ignore[return-value]

    def _read(self, state: State, key: bytes) -> V:
        return self.decode_value(state.get(key))

    def _write(self, state: State, key: bytes, value: V) -> None:
        if value is None and self.optional:
            state.delete(key)
        else:
            state.set(key, self.value_codec.encode(value))


class StorageValue(StorageItem[V]):
    """A single value stored under ``twox128(module) ++ twox128(name)``."""

    def __init__(self, module: str, name: str, value_type: Any, default: V) -> None:
        """Declare the item (``value_type`` is any SCALE annotation)."""
        super().__init__(module, name, value_type, default)
        self.key = self.prefix

    def get(self, state: State) -> V:
        """Return the value, or the default when unset."""
        return self._read(state, self.key)

    def put(self, state: State, value: V) -> None:
        """Store ``value``."""
        self._write(state, self.key, value)

    def put_encoded(self, state: State, raw: bytes) -> None:
        """Store a value the caller encoded itself (it must be this item's SCALE type)."""
        state.set(self.key, raw)

    def kill(self, state: State) -> None:
        """Remove the value (it then reads as the default)."""
        state.delete(self.key)


KEY_CACHE_SIZE = 8_192
"""Storage keys each map remembers (a pure function of the key, so caching changes no result):
enough for the accounts of several blocks of transfers, bounded for memory."""


class StorageMap(StorageItem[V], Generic[K, V]):
    """A map from keys to values; iterable when its hasher keeps the raw key."""

    def __init__(
        self,
        module: str,
        name: str,
        hasher: StorageHasher,
        key_type: Any,
        value_type: Any,
        default: V,
    ) -> None:
        """Declare the map with its key hasher and SCALE types."""
        super().__init__(module, name, value_type, default)
        self.hasher = hasher
        self.key_codec: Codec[K] = codec_of(key_type)
        self._key_cache: dict[K, bytes] = {}

    def keys(self) -> tuple[tuple[StorageHasher, Codec[Any]], ...]:
        """The one key's hasher and codec."""
        return ((self.hasher, self.key_codec),)

    def key_of(self, key: K) -> bytes:
        """Return the storage key of ``key``.

        Remembered: a transfer hashes the same few keys many times (:data:`KEY_CACHE_SIZE`).
        """
        try:
            cached = self._key_cache.get(key)
        except TypeError:  # an unhashable key (a list): computed each time
            return self.prefix + hash_key(self.hasher, self.key_codec.encode(key))
        if cached is None:
            cached = self.prefix + hash_key(self.hasher, self.key_codec.encode(key))
            if len(self._key_cache) >= KEY_CACHE_SIZE:
                self._key_cache.clear()  # one operation: safe with the sealing thread
            self._key_cache[key] = cached
        return cached

    def get(self, state: State, key: K) -> V:
        """Return the entry, or the default when absent."""
        try:
            storage_key = self._key_cache.get(key)
        except TypeError:  # an unhashable key: computed by key_of
            storage_key = None
        if storage_key is None:
            storage_key = self.key_of(key)
        return self.decode_value(state.get(storage_key))

    def insert(self, state: State, key: K, value: V) -> None:
        """Store ``value`` under ``key``."""
        self._write(state, self.key_of(key), value)

    def insert_encoded(self, state: State, key: K, raw: bytes) -> None:
        """Store a value the caller encoded itself (it must be this map's SCALE value type)."""
        state.set(self.key_of(key), raw)

    def remove(self, state: State, key: K) -> None:
        """Delete the entry."""
        state.delete(self.key_of(key))

    def contains(self, state: State, key: K) -> bool:
        """Whether an entry exists (distinguishes a stored default from absence)."""
        return state.get(self.key_of(key)) is not None

    def iter(self, state: State) -> Iterator[tuple[K, V]]:
        """Yield every entry in storage-key order (requires a ``*_concat`` or identity hasher)."""
        skip = len(self.prefix) + _CONCAT_PREFIX[self.hasher]
        for storage_key, raw in state.items(self.prefix):
            yield self.key_codec.decode(storage_key[skip:]), self.value_codec.decode(raw)


class StorageDoubleMap(StorageItem[V], Generic[K, K2, V]):
    """A map keyed by two keys, each with its own hasher; iterable by the first key."""

    def __init__(
        self,
        module: str,
        name: str,
        first: tuple[StorageHasher, Any],
        second: tuple[StorageHasher, Any],
        value_type: Any,
        default: V,
    ) -> None:
        """Declare the map with ``(hasher, key type)`` for each key."""
        super().__init__(module, name, value_type, default)
        self.first_hasher, self.second_hasher = first[0], second[0]
        self.first_codec: Codec[K] = codec_of(first[1])
        self.second_codec: Codec[K2] = codec_of(second[1])

    def keys(self) -> tuple[tuple[StorageHasher, Codec[Any]], ...]:
        """Both keys' hashers and codecs."""
        return ((self.first_hasher, self.first_codec), (self.second_hasher, self.second_codec))

    def prefix_of(self, first: K) -> bytes:
        """Return the storage prefix of every entry under ``first``."""
        return self.prefix + hash_key(self.first_hasher, self.first_codec.encode(first))

    def key_of(self, first: K, second: K2) -> bytes:
        """Return the storage key of ``(first, second)``."""
        return self.prefix_of(first) + hash_key(
            self.second_hasher, self.second_codec.encode(second)
        )

    def get(self, state: State, first: K, second: K2) -> V:
        """Return the entry, or the default when absent."""
        return self._read(state, self.key_of(first, second))

    def insert(self, state: State, first: K, second: K2, value: V) -> None:
        """Store ``value`` under ``(first, second)``."""
        self._write(state, self.key_of(first, second), value)

    def remove(self, state: State, first: K, second: K2) -> None:
        """Delete the entry."""
        state.delete(self.key_of(first, second))

    def iter_prefix(self, state: State, first: K) -> Iterator[tuple[K2, V]]:
        """Yield ``(second, value)`` under ``first`` (the second hasher must keep the key)."""
        prefix = self.prefix_of(first)
        skip = len(prefix) + _CONCAT_PREFIX[self.second_hasher]
        for storage_key, raw in state.items(prefix):
            yield self.second_codec.decode(storage_key[skip:]), self.value_codec.decode(raw)
