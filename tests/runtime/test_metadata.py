"""Runtime metadata, checked with scalecodec (substrate-interface's decoder; not ours)."""

from __future__ import annotations

from typing import Any

from scalecodec.base import RuntimeConfigurationObject, ScaleBytes
from scalecodec.type_registry import load_type_registry_preset
from substrateinterface.storage import StorageKey

from khala.primitives.crypto import keypair_from_uri
from khala.primitives.scale import codec_of, decode
from khala.primitives.scale.enums import variants_of
from khala.runtime.apis import RUNTIME_APIS
from khala.runtime.metadata import build_metadata
from khala.runtime.metadata_types import V15, RuntimeMetadataPrefixed
from khala.runtime.module import RuntimeModule
from khala.runtime.modules.balances.calls import TransferKeepAlive
from khala.runtime.modules.computation.calls import SetMiningEnabled
from khala.runtime.modules.registry.state import WORKERS
from khala.runtime.modules.scheduler.calls import ScheduleNamed
from khala.runtime.modules.system.state import ACCOUNT
from khala.runtime.outer import RuntimeCall
from khala.runtime.presets import DEV, KHALA
from khala.runtime.table import RUNTIME
from khala.runtime.types import AddressId

BOB = keypair_from_uri("//Bob").public_key


def _scalecodec(preset: Any = DEV) -> tuple[RuntimeConfigurationObject, Any]:
    config = RuntimeConfigurationObject()
    config.update_type_registry(load_type_registry_preset("core"))
    metadata = config.create_scale_object(
        "MetadataVersioned", data=ScaleBytes(build_metadata(RUNTIME, preset, 14))
    )
    metadata.decode()
    config.add_portable_registry(metadata)
    return config, metadata


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.lower().split("_"))


def test_v14_decodes_with_every_pallet_at_its_index() -> None:
    """Scalecodec reads the metadata; pallets, indices and the khala preset's absence of sudo."""
    _, metadata = _scalecodec()
    pallets = {pallet.name: pallet.value["index"] for pallet in metadata.pallets}
    assert pallets == {module.name: module.index for module in RUNTIME.present(DEV)}
    _, production = _scalecodec(KHALA)
    assert "Sudo" not in {pallet.name for pallet in production.pallets}


def test_storage_keys_from_metadata_match_ours() -> None:
    """A tool computing a key from the metadata's hashers and types gets our key."""
    config, metadata = _scalecodec()
    for pallet, item, ours in [
        ("System", "Account", ACCOUNT.key_of(BOB)),
        ("Registry", "Workers", WORKERS.key_of(BOB)),
    ]:
        key = StorageKey.create_from_storage_function(
            pallet, item, ["0x" + BOB.hex()], runtime_config=config, metadata=metadata
        )
        assert key.to_hex() == "0x" + ours.hex()


def test_calls_composed_from_metadata_encode_like_ours() -> None:
    """A call built by name through the metadata is byte-identical to our RuntimeCall."""
    config, metadata = _scalecodec()
    runtime_call = codec_of(RuntimeCall)
    call = config.create_scale_object("Call", metadata=metadata)
    encoded = call.encode(
        {
            "call_module": "Balances",
            "call_function": "transfer_keep_alive",
            "call_args": {"dest": {"Id": "0x" + BOB.hex()}, "value": 5},
        }
    )
    assert encoded.data == runtime_call.encode(TransferKeepAlive(AddressId(BOB), 5))
    nested = config.create_scale_object("Call", metadata=metadata).encode(
        {
            "call_module": "Scheduler",
            "call_function": "schedule_named",
            "call_args": {
                "id": "0x" + bytes(32).hex(),
                "when": 10,
                "maybe_periodic": None,
                "priority": 0,
                "call": {
                    "call_module": "Computation",
                    "call_function": "set_mining_enabled",
                    "call_args": {"enabled": True},
                },
            },
        }
    )
    ours = runtime_call.encode(ScheduleNamed(bytes(32), 10, None, 0, SetMiningEnabled(True)))
    assert nested.data == ours


def test_every_call_and_error_is_described() -> None:
    """Each call variant by its snake_case name and index; each error by name and declared index."""
    _, metadata = _scalecodec()
    for module in RUNTIME.present(DEV):
        pallet = metadata.get_metadata_pallet(module.name)
        if module.calls is not None:
            described = {call.value["name"]: call.value["index"] for call in pallet.calls}
            declared = {
                _snake(cls.__name__): index for index, cls in variants_of(module.calls).items()
            }
            assert described == declared
        if module.errors is not None:
            for member in module.errors:
                error = metadata.get_module_error(module.index, member.error_index)
                assert error.name == _pascal(member.name)


def test_v15_carries_apis_outer_enums_and_extensions() -> None:
    """V15 lists the runtime APIs, the outer enums and the signed extensions clients expect."""
    metadata = decode(RuntimeMetadataPrefixed, build_metadata(RUNTIME, DEV, 15)).metadata
    assert isinstance(metadata, V15)
    body = metadata.metadata
    types = {entry.id: entry.type for entry in body.types}
    enums = body.outer_enums
    assert types[enums.call_type].path == ["khala_runtime", "RuntimeCall"]
    assert types[enums.event_type].path == ["khala_runtime", "RuntimeEvent"]
    assert types[enums.error_type].path == ["khala_runtime", "RuntimeError"]
    assert [api.name for api in body.apis] == [api.name for api in RUNTIME_APIS if api.methods]
    assert [extension.identifier for extension in body.extrinsic.signed_extensions] == [
        "CheckNonZeroSender",
        "CheckSpecVersion",
        "CheckTxVersion",
        "CheckGenesis",
        "CheckMortality",
        "CheckNonce",
        "CheckWeight",
        "ChargeTransactionPayment",
    ]
    assert types[body.extrinsic.address_type].path == ["sp_runtime", "multiaddress", "MultiAddress"]
    assert build_metadata(RUNTIME, DEV, 15) == build_metadata(RUNTIME, DEV, 15)


def test_module_declarations_are_runtime_modules() -> None:
    """Every table entry is a RuntimeModule whose docs come from its package."""
    assert all(isinstance(module, RuntimeModule) and module.docs for module in RUNTIME.modules)


def test_phat_contracts_calls_and_events_through_the_metadata() -> None:
    """substrate-interface's decoder builds a phat call like ours and decodes its events."""
    from khala.primitives.hashing import blake2_256
    from khala.runtime.events import EventRecord
    from khala.runtime.modules.phat.calls import PushContractMessage
    from khala.runtime.modules.phat.events import ContractEmitted
    from khala.runtime.types import ApplyExtrinsic

    config, metadata = _scalecodec()
    contract = blake2_256(b"contract")
    encoded = config.create_scale_object("Call", metadata=metadata).encode(
        {
            "call_module": "PhatContracts",
            "call_function": "push_contract_message",
            "call_args": {"contract": "0x" + contract.hex(), "payload": "0xabcd", "deposit": 5},
        }
    )
    ours = codec_of(RuntimeCall).encode(PushContractMessage(contract, b"\xab\xcd", 5))
    assert encoded.data == ours
    record = EventRecord(ApplyExtrinsic(1), ContractEmitted(contract, [bytes(32)], b"\x00\xff"), [])
    raw = codec_of(list[EventRecord]).encode([record])
    storage = metadata.get_metadata_pallet("System").get_storage_function("Events")
    events = config.create_scale_object(
        storage.get_value_type_string(), data=ScaleBytes(raw), metadata=metadata
    )
    [decoded] = events.decode()
    event = decoded["event"]
    assert (event["module_id"], event["event_id"]) == ("PhatContracts", "ContractEmitted")
    assert event["attributes"]["data"] == "0x00ff"
