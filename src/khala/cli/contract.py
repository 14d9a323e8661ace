"""``khala contract``: clusters, code, instantiation, encrypted commands and queries.

A typical session on a devnet (Alice is sudo)::

    khala contract cluster-create --worker 0x<pubkey> --owner //Alice --deposit 100PHA
    khala contract upload 1 flipper.wasm --from //Alice
    khala contract instantiate 1 flipper.wasm --metadata flipper.json --args '[false]'
        --from //Alice --wait-ready      (one line)
    khala contract call 0x<address> flip --metadata flipper.json --from //Alice
    khala contract query 0x<address> get --metadata flipper.json --from //Alice
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import typer
import wasmtime

from khala.cli.chain import JSON_OPTION, URL_OPTION
from khala.cli.council import VIA_OPTION, Via, govern
from khala.cli.mining import parse_worker
from khala.cli.output import (
    CliError,
    CliErrorCode,
    emit,
    parse_hex32,
    read_file,
    reported_errors,
)
from khala.cli.signer import signer
from khala.cli.submit import FROM_HELP, send, submit_and_report
from khala.contracts.abi import InkMetadata
from khala.primitives.hashing import blake2_256
from khala.primitives.units import format_amount, parse_amount
from khala.runtime.modules.phat import calls as pc
from khala.runtime.modules.phat import events as pe
from khala.runtime.modules.phat import state as pst
from khala.runtime.modules.phat.ids import cluster_id, contract_id
from khala.runtime.modules.phat.types import ContractStatus, OnlyOwner, Public
from khala.sdk import Client, SdkError, SdkErrorCode
from khala.sdk.contracts import DEFAULT_GAS_LIMIT, ContractInstance
from khala.sdk.core import account_id
from khala.sdk.mining import read

app = typer.Typer(
    help="Confidential contracts: clusters, ink! code, instantiation, commands and queries.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)

CLUSTER_ARGUMENT = typer.Argument(..., help="The cluster: its number (1, 2…) or 0x id.")
ADDRESS_ARGUMENT = typer.Argument(..., help="The contract's address (0x…).")
METADATA_OPTION = typer.Option(..., "--metadata", help="The contract's ink! metadata (.json).")
ARGS_OPTION = typer.Option("[]", "--args", help="Arguments as JSON: a list, or an object by name.")
FROM_OPTION = typer.Option(..., "--from", help=FROM_HELP)
GAS_OPTION = typer.Option(DEFAULT_GAS_LIMIT, "--gas-limit", min=1, help="Gas for the execution.")
DEPOSIT_OPTION = typer.Option(
    "0", "--deposit", help="PHA moved into the cluster for you first (pays gas), e.g. 10PHA."
)


def parse_cluster(text: str) -> bytes:
    """A cluster by number or 0x id."""
    if text.isdigit():
        return cluster_id(int(text))
    return _hex32(text, "cluster")


def _hex32(text: str, what: str) -> bytes:
    return parse_hex32(text, f"the {what} must be 32 bytes of 0x-hex")


def _args(text: str) -> Any:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise CliError(CliErrorCode.INVALID_ARGUMENT, f"--args is not JSON: {error}") from None
    if not isinstance(value, list | dict):
        raise CliError(CliErrorCode.INVALID_ARGUMENT, "--args must be a JSON list or object")
    return value


def _code(path: Path) -> bytes:
    """A contract's wasm; ``.wat`` text is compiled (how the examples ship)."""
    raw = read_file(path)
    if path.suffix != ".wat":
        return raw
    try:
        return bytes(wasmtime.wat2wasm(raw.decode()))
    except (wasmtime.WasmtimeError, UnicodeDecodeError) as error:
        first = str(error).splitlines()[0] if str(error) else "invalid text"
        raise CliError(CliErrorCode.INVALID_ARGUMENT, f"{path} is not valid WAT: {first}") from None


def _metadata(path: Path) -> InkMetadata:
    read_file(path)  # a typed error for a missing file
    return InkMetadata.load(path)


def _json_value(value: Any) -> Any:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_value(v) for k, v in value.items()}
    return value


@app.command("cluster-create")
def cluster_create(
    workers: list[str] = typer.Option(..., "--worker", help="A registered worker (0x pubkey)."),
    owner: str = typer.Option(..., "--owner", help="The cluster's owner (address or //Name)."),
    deposit: str = typer.Option("0", "--deposit", help="PHA the owner moves into the cluster."),
    gas_price: int = typer.Option(1, "--gas-price", min=0, help="Planck per unit of gas."),
    per_item: str = typer.Option("0", "--deposit-per-item", help="Storage deposit per entry."),
    per_byte: str = typer.Option("0", "--deposit-per-byte", help="Storage deposit per byte."),
    only_owner: bool = typer.Option(False, "--only-owner", help="Only the owner deploys."),
    sender: str = typer.Option("//Alice", "--from", help=FROM_HELP),
    via: Via = VIA_OPTION,
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Governance: create a cluster of registered workers (the gatekeepers then key it)."""
    with reported_errors(as_json=as_json):
        who = account_id(owner) if not owner.startswith("//") else signer(owner).public_key
        permission = OnlyOwner(who) if only_owner else Public()
        call = pc.AddCluster(
            who,
            permission,
            [parse_worker(w) for w in workers],
            parse_amount(deposit),
            gas_price,
            parse_amount(per_item),
            parse_amount(per_byte),
        )
        client = Client(url)
        number = read(client, pst.CLUSTER_COUNTER) + 1
        govern(
            client,
            sender,
            call,
            what=f"cluster #{number}",
            as_json=as_json,
            via=via,
            extra={"cluster": "0x" + cluster_id(number).hex(), "number": number},
        )


@app.command("deposit")
def deposit(
    cluster: str = CLUSTER_ARGUMENT,
    amount: str = typer.Option(..., "--amount", help="PHA to move, e.g. 10PHA."),
    to: str | None = typer.Option(None, "--to", help="Whose cluster balance (default: you)."),
    sender: str = FROM_OPTION,
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Move PHA into a cluster (it pays gas and storage deposits there)."""
    with reported_errors(as_json=as_json):
        units = parse_amount(amount, require_unit=True)
        dest = signer(sender).public_key if to is None else account_id(to)
        call = pc.TransferToCluster(units, parse_cluster(cluster), dest)
        send(url, sender, call, f"deposit of {format_amount(units)}", as_json, amount=units)


@app.command("upload")
def upload(
    cluster: str = CLUSTER_ARGUMENT,
    wasm: Path = typer.Argument(..., help="The contract's .wasm (cargo contract build) or .wat."),
    sender: str = FROM_OPTION,
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Upload ink! code to a cluster; prints its code hash."""
    with reported_errors(as_json=as_json):
        code = _code(wasm)
        code_hash = blake2_256(code)
        call = pc.UploadCode(parse_cluster(cluster), code)
        send(url, sender, call, f"upload of {wasm.name}", as_json, code_hash="0x" + code_hash.hex())


@app.command("instantiate")
def instantiate(
    cluster: str = CLUSTER_ARGUMENT,
    wasm: Path = typer.Argument(..., help="The .wasm (uploaded first if the cluster lacks it)."),
    metadata: Path = METADATA_OPTION,
    constructor: str = typer.Option("new", "--constructor", help="The constructor's name."),
    args: str = ARGS_OPTION,
    salt: str = typer.Option("", "--salt", help="Salt of the address (text)."),
    gas_limit: int = GAS_OPTION,
    deposit_text: str = DEPOSIT_OPTION,
    wait_ready: bool = typer.Option(False, "--wait-ready", help="Wait for the result and key."),
    timeout: float = typer.Option(60.0, "--timeout", min=1, help="Seconds --wait-ready waits."),
    sender: str = FROM_OPTION,
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Instantiate a contract; prints its address (known before the cluster runs it)."""
    with reported_errors(as_json=as_json):
        ink = _metadata(metadata)
        code = _code(wasm)
        code_hash, target = blake2_256(code), parse_cluster(cluster)
        client, pair = Client(url), signer(sender)
        if read(client, pst.CODES, target, code_hash) is None:
            submit_and_report(
                client,
                pair,
                pc.UploadCode(target, code),
                what="upload",
                as_json=as_json,
                quiet=True,
            )
        data = ink.encode_call(ink.constructor(constructor), _args(args))
        call = pc.InstantiateContract(
            code_hash, data, salt.encode(), target, 0, gas_limit, None, parse_amount(deposit_text)
        )
        address = contract_id(pair.public_key, code_hash, target, salt.encode())
        extra: dict[str, Any] = {
            "address": "0x" + address.hex(),
            "code_hash": "0x" + code_hash.hex(),
        }
        if not wait_ready:
            submit_and_report(
                client, pair, call, what="instantiation", as_json=as_json, extra=extra
            )
            return
        submit_and_report(
            client, pair, call, what="instantiation", as_json=True, extra=extra, quiet=True
        )
        status = _wait_ready(client, address, timeout)
        emit(
            {**extra, "status": status},
            as_json=as_json,
            text=lambda: f"contract 0x{address.hex()} {status}",
        )
        if status != "instantiated":
            raise typer.Exit(1)


def _wait_ready(client: Client, address: bytes, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        info = read(client, pst.CONTRACTS, address)
        keys = read(client, pst.CONTRACT_KEYS, address)
        if info is not None and info.status is ContractStatus.FAILED:
            return "failed"
        if info is not None and info.status is ContractStatus.INSTANTIATED and keys is not None:
            return "instantiated"
        time.sleep(0.5)
    raise SdkError(SdkErrorCode.TIMEOUT, f"the cluster did not report within {timeout:g}s")


@app.command("call")
def call(
    address: str = ADDRESS_ARGUMENT,
    message: str = typer.Argument(..., help="The message's name (or 0x selector)."),
    metadata: Path = METADATA_OPTION,
    args: str = ARGS_OPTION,
    gas_limit: int = GAS_OPTION,
    deposit_text: str = DEPOSIT_OPTION,
    sender: str = FROM_OPTION,
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Send an encrypted command (only the contract's cluster can read it)."""
    with reported_errors(as_json=as_json):
        target = _hex32(address, "address")
        pair = signer(sender)
        instance = ContractInstance(Client(url), _metadata(metadata), target, signer=pair)
        spec = instance.metadata.message(message)
        receipt = instance.call_tx(
            spec, _args(args), gas_limit=gas_limit, deposit=parse_amount(deposit_text)
        )
        pushed = any(isinstance(e, pe.CommandPushed) for e in receipt.events)
        emit(
            {"block_number": receipt.block_number, "success": pushed, "error": receipt.error},
            as_json=as_json,
            text=lambda: (
                f"command {spec.label} sent in block #{receipt.block_number}"
                if pushed
                else f"command FAILED: {receipt.error}"
            ),
        )
        if not pushed:
            raise typer.Exit(1)


@app.command("query")
def query(
    address: str = ADDRESS_ARGUMENT,
    message: str = typer.Argument(..., help="The message's name (or 0x selector)."),
    metadata: Path = METADATA_OPTION,
    args: str = ARGS_OPTION,
    worker: str | None = typer.Option(None, "--worker", help="A worker URL (default: chain's)."),
    sender: str = FROM_OPTION,
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Ask a worker of the contract's cluster; the query and answer are encrypted."""
    with reported_errors(as_json=as_json):
        target = _hex32(address, "address")
        ink = _metadata(metadata)
        instance = ContractInstance(Client(url), ink, target, signer=signer(sender), worker=worker)
        result = instance.call_query(ink.message(message), _args(args))
        payload = {
            "value": _json_value(result.value),
            "output": _json_value(result.output),
            "reverted": result.reverted,
            "gas_consumed": result.gas_consumed,
            "worker": "0x" + result.worker.hex(),
        }
        emit(payload, as_json=as_json, text=lambda: json.dumps(payload["value"]))


@app.command("show")
def show(
    address: str = ADDRESS_ARGUMENT, url: str = URL_OPTION, as_json: bool = JSON_OPTION
) -> None:
    """A contract's on-chain record: deployer, cluster, code, status, keys, stake."""
    with reported_errors(as_json=as_json):
        target = _hex32(address, "address")
        client = Client(url)
        info = read(client, pst.CONTRACTS, target)
        if info is None:
            raise SdkError(SdkErrorCode.NOT_FOUND, f"no contract 0x{target.hex()}")
        keys = read(client, pst.CONTRACT_KEYS, target)
        payload = {
            "address": "0x" + target.hex(),
            "deployer": "0x" + bytes(info.deployer).hex(),
            "cluster": "0x" + bytes(info.cluster).hex(),
            "code_hash": "0x" + bytes(info.code_hash).hex(),
            "status": info.status.name.lower(),
            "ecdh_pubkey": None if keys is None else "0x" + bytes(keys.ecdh).hex(),
            "stake": read(client, pst.CONTRACT_TOTAL_STAKES, target),
        }
        emit(
            payload,
            as_json=as_json,
            text=lambda: "\n".join(f"{k}: {v}" for k, v in payload.items()),
        )


@app.command("stake")
def stake(
    address: str = ADDRESS_ARGUMENT,
    amount: str = typer.Option(..., "--amount", help="Your stake after this (0 withdraws)."),
    sender: str = FROM_OPTION,
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Set your stake on a contract: workers share query capacity by stake."""
    with reported_errors(as_json=as_json):
        units = parse_amount(amount)
        call = pc.AdjustStake(_hex32(address, "address"), units)
        send(url, sender, call, f"stake of {format_amount(units)}", as_json, amount=units)
