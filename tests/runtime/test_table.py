"""The runtime table: every module is in it, a new module needs no other edit, stable indices."""

from __future__ import annotations

import dataclasses
import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from khala.primitives.crypto import keypair_from_uri
from khala.primitives.scale import U32, ScaleEnum, decode, variant
from khala.primitives.trie import Trie
from khala.runtime.builder import build_block
from khala.runtime.composition import Runtime, RuntimeTableError, RuntimeTableErrorCode
from khala.runtime.context import Context, ensure_signed
from khala.runtime.dispatch_table import CallSpec
from khala.runtime.errors import DispatchError, ModuleErrorCode
from khala.runtime.executive import Executive
from khala.runtime.extrinsic import Era, SignedExtra, sign_extrinsic
from khala.runtime.genesis import build_genesis_storage, dev_genesis, genesis_block_header
from khala.runtime.metadata import build_metadata
from khala.runtime.metadata_types import RuntimeMetadataPrefixed, VariantDef
from khala.runtime.module import Constant, RuntimeModule
from khala.runtime.modules.system.events import ExtrinsicFailed
from khala.runtime.modules.system.state import EVENTS
from khala.runtime.presets import DEV, KHALA
from khala.runtime.releases import Release
from khala.runtime.state import State
from khala.runtime.storage import StorageValue
from khala.runtime.table import MODULES, RUNTIME
from khala.runtime.types import ModuleDispatchError
from khala.runtime.version import SPEC_VERSION, TRANSACTION_VERSION

MODULES_DIR = Path(__file__).resolve().parents[2] / "src" / "khala" / "runtime" / "modules"
PUBLISHED = Path(__file__).resolve().parent / "published_error_indices.txt"
TOY_INDEX = 200


def test_every_module_package_is_in_the_table() -> None:
    """Each package under runtime/modules declares itself and the table lists that declaration."""
    packages = sorted(
        path.name for path in MODULES_DIR.iterdir() if (path / "__init__.py").exists()
    )
    declared = [
        importlib.import_module(f"khala.runtime.modules.{name}.declaration").MODULE
        for name in packages
    ]
    assert len(packages) == len(MODULES)
    assert all(module in MODULES for module in declared)


def test_published_error_indices_never_change() -> None:
    """Every on-chain error index ever published still names the same code, and vice versa."""
    published = set()
    for line in PUBLISHED.read_text().splitlines():
        if line and not line.startswith("#"):
            module, error, code = line.split()
            published.add((int(module), int(error), code))
    current = {
        (module, member.error_index, member.value)
        for module, codes in RUNTIME.error_enums().items()
        for member in codes
    }
    assert published - current == set(), "a published error index changed or was removed"
    assert current - published == set(), "add new error codes to published_error_indices.txt"


def test_error_index_is_declared_not_positional() -> None:
    """Reordering members cannot change what goes on chain: the declared index is encoded."""

    class Shuffled(ModuleErrorCode):
        SECOND = "toy.second", 1
        FIRST = "toy.first", 0

    record = DispatchError(Shuffled.SECOND, "x", module_index=TOY_INDEX).record()
    assert isinstance(record, ModuleDispatchError)
    assert record.error.error == bytes((1, 0, 0, 0))


# A toy module, declared entirely here: nothing outside this test file knows about it.


class ToyCall(ScaleEnum):
    """A toy call."""


@variant(0)
@dataclass(frozen=True, slots=True)
class Poke(ToyCall):
    """Add to the counter."""

    by: U32
    """How much."""


class ToyEvent(ScaleEnum):
    """A toy event."""


@variant(3)
@dataclass(frozen=True, slots=True)
class Poked(ToyEvent):
    """The counter moved."""

    total: U32
    """Its new value."""


class ToyErrorCode(ModuleErrorCode):
    """Toy errors."""

    ZERO = "toy.zero", 7
    """Poking by zero does nothing."""


COUNTER: StorageValue[int] = StorageValue("Toy", "Counter", U32, 0)
"""Toy.Counter: the total so far."""
BLOCKS: StorageValue[int] = StorageValue("Toy", "Blocks", U32, 0)
"""Toy.Blocks: blocks seen by the hook."""


def _poke(state: State, ctx: Context, args: Poke) -> None:
    ensure_signed(ctx)
    if args.by == 0:
        raise DispatchError(ToyErrorCode.ZERO, "poke by more than zero", module_index=TOY_INDEX)
    total = COUNTER.get(state) + args.by
    COUNTER.put(state, total)
    ctx.emit(Poked(total))


def _count_block(state: State, ctx: Context) -> None:
    del ctx
    BLOCKS.put(state, BLOCKS.get(state) + 1)


def _genesis(state: State, config: Any) -> None:
    del config
    COUNTER.put(state, 40)


class _ToyState:
    """Stands in for a module's state.py."""

    COUNTER = COUNTER
    """Toy.Counter: the total so far."""
    BLOCKS = BLOCKS
    """Toy.Blocks: blocks seen by the hook."""


TOY = RuntimeModule(
    index=TOY_INDEX,
    name="Toy",
    docs="A module declared in a test.",
    calls=ToyCall,
    handlers={Poke: CallSpec(_poke, 1_000_000)},
    events=ToyEvent,
    errors=ToyErrorCode,
    on_initialize=_count_block,
    build_genesis=_genesis,
    state=_ToyState,  # type: ignore[arg-type]
    constants=(Constant("Answer", U32, 42, "The answer."),),
)


def test_a_toy_module_needs_no_edit_elsewhere() -> None:
    """Genesis, hooks, dispatch, events, errors and metadata all pick up a new table line."""
    runtime = Runtime((*MODULES, TOY))
    releases = {SPEC_VERSION: Release(SPEC_VERSION, runtime, "the table plus a toy module")}
    storage = build_genesis_storage(dev_genesis(), releases)
    trie = Trie()
    for key, value in storage.items():
        trie.insert(key, value)
    head = genesis_block_header(storage)
    executive = Executive(DEV, head.hash(), releases)
    alice = keypair_from_uri("//Alice")
    calls = [Poke(2), Poke(0)]
    raws = [
        sign_extrinsic(
            alice,
            call,
            SignedExtra(Era(), nonce, 0),
            spec_version=SPEC_VERSION,
            transaction_version=TRANSACTION_VERSION,
            genesis_hash=head.hash(),
            era_block_hash=head.hash(),
        )
        for nonce, call in enumerate(calls)
    ]
    built = build_block(executive, trie, head, slot=1, now_ms=2_000, candidates=raws)
    assert built.included == raws
    state = State(trie)
    assert COUNTER.get(state) == 42 and BLOCKS.get(state) == 1
    events = [record.event for record in EVENTS.get(state)]
    assert Poked(42) in events
    failed = next(event for event in events if isinstance(event, ExtrinsicFailed))
    error = failed.dispatch_error
    assert isinstance(error, ModuleDispatchError)
    assert runtime.error_code(error.error.index, error.error.error[0]) == "toy.zero"

    metadata = decode(RuntimeMetadataPrefixed, build_metadata(runtime, DEV, 14)).metadata
    pallet = next(p for p in metadata.metadata.pallets if p.name == "Toy")  # type: ignore[attr-defined]
    types = {entry.id: entry.type for entry in metadata.metadata.types}  # type: ignore[attr-defined]
    assert pallet.index == TOY_INDEX
    assert [entry.name for entry in pallet.storage.entries] == ["Counter", "Blocks"]
    assert pallet.storage.entries[0].docs == ["the total so far."]
    assert pallet.constants[0].value == (42).to_bytes(4, "little")
    call_type = types[pallet.calls].definition
    assert isinstance(call_type, VariantDef) and call_type.variants[0].name == "poke"
    errors = types[pallet.error].definition
    assert isinstance(errors, VariantDef)
    assert [(v.name, v.index, v.docs) for v in errors.variants] == [
        ("Zero", 7, ["Poking by zero does nothing."])
    ]


def test_the_khala_preset_has_no_sudo() -> None:
    """Modules a preset lacks are absent from its metadata and refused as calls."""
    assert "Sudo" not in [m.name for m in RUNTIME.present(KHALA)]
    assert "Sudo" in [m.name for m in RUNTIME.present(DEV)]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda toy: dataclasses.replace(toy, index=0), RuntimeTableErrorCode.DUPLICATE_INDEX),
        (
            lambda toy: dataclasses.replace(toy, name="Balances"),
            RuntimeTableErrorCode.DUPLICATE_NAME,
        ),
        (lambda toy: dataclasses.replace(toy, handlers={}), RuntimeTableErrorCode.MISSING_HANDLER),
    ],
)
def test_inconsistent_tables_are_refused(change: Any, code: RuntimeTableErrorCode) -> None:
    """Colliding indices or names and calls without handlers stop the runtime from composing."""
    with pytest.raises(RuntimeTableError) as caught:
        Runtime((*MODULES, change(TOY)))
    assert caught.value.code is code


def test_duplicate_error_indices_and_routes_are_refused() -> None:
    """Two errors with one index, or two handlers for one topic, are programming errors."""

    class Twice(ModuleErrorCode):
        A = "toy.a", 1
        B = "toy.b", 1

    with pytest.raises(RuntimeTableError) as caught:
        Runtime((*MODULES, dataclasses.replace(TOY, errors=Twice)))
    assert caught.value.code is RuntimeTableErrorCode.BAD_ERROR_INDEX
    topic = next(topic for module in MODULES for topic in module.routes)
    stolen = dataclasses.replace(TOY, routes={topic: lambda *_: None})
    with pytest.raises(RuntimeTableError) as caught:
        Runtime((*MODULES, stolen))
    assert caught.value.code is RuntimeTableErrorCode.DUPLICATE_ROUTE
