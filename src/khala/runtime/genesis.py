"""Genesis: the chain's first state, from a config (endowments, authorities, sudo, preset).

``parse_genesis_config`` reads the JSON shape below (the node reads the file)::

    {"preset": "dev",
     "endowed": [["5Grw...", "1000000PHA"], ["0xd435...", "1000000000000"]],
     "authorities": [{"finality_key": "0x88dc...", "account": "5Grw..."}],
     "sudo": "5Grw..."}

Optional fields: ``mining_subsidy``, ``mining_enabled``, ``council``, ``vesting``,
``crowdloan``, ``trusted_roots`` (DER root CAs as ``0x`` hex: the dev PKI's on a test
network), ``measurements`` (allowed pRuntimes, SCALE-encoded as ``0x`` hex),
``preset_overrides`` (constants such as ``{"block_time_ms": 1000}``) and ``spec_version``
(the runtime release genesis runs; the newest by default).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from khala.attestation.simulated_quote import simulated_measurement
from khala.attestation.types import Measurement
from khala.errors import KhalaError
from khala.primitives.crypto import KeyScheme, keypair_from_uri
from khala.primitives.scale import ScaleError, decode
from khala.primitives.ss58 import Ss58Error, ss58_decode
from khala.primitives.trie import Layout, Trie, trie_root
from khala.primitives.types import Header, genesis_header
from khala.primitives.units import AmountError, parse_amount
from khala.runtime.modules.authorship.state import Authority
from khala.runtime.modules.vesting.constants import CROWDLOAN_LIQUID_PERCENT
from khala.runtime.presets import (
    PRESET_KEY,
    PRESET_OVERRIDES_KEY,
    PRESETS,
    Preset,
    PresetName,
    check_overrides,
    parse_overrides,
    with_overrides,
)
from khala.runtime.releases import LATEST_SPEC_VERSION, RELEASES, Release, release
from khala.runtime.state import State
from khala.runtime.upgrades import put_storage_version

DEV_ACCOUNTS = ("Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie")
"""Well-known development accounts (``//Alice`` ...), endowed on dev chains."""
DEV_ENDOWMENT = 1_000_000 * 10**12
"""1,000,000 PHA for each development account."""
DEV_MINING_SUBSIDY = 10_000_000 * 10**12
"""10,000,000 PHA in the dev chain's mining subsidy pot: about 53,000 blocks of the khala budget."""


class GenesisErrorCode(StrEnum):
    """Codes of :class:`GenesisError`."""

    INVALID_CONFIG = "genesis.invalid_config"
    """The genesis config has a missing or malformed field."""
    UNKNOWN_PRESET = "genesis.unknown_preset"
    """The preset is not ``dev`` or ``khala``."""
    SUDO_NOT_ALLOWED = "genesis.sudo_not_allowed"
    """A sudo key was given for a preset without sudo."""


class GenesisError(KhalaError):
    """A genesis config is unusable."""


@dataclass(frozen=True, slots=True)
class GenesisConfig:
    """Everything genesis depends on."""

    preset: Preset
    """The chain's constants."""
    endowed: tuple[tuple[bytes, int], ...]
    """Accounts and their initial free balances."""
    authorities: tuple[Authority, ...]
    """Block authors (finality keys and fee accounts)."""
    sudo: bytes | None
    """The sudo key (dev preset only)."""
    trusted_roots: tuple[bytes, ...] = ()
    """Root CAs workers' quotes may chain to (the dev PKI's root on dev chains)."""
    measurements: tuple[Measurement, ...] = ()
    """Worker measurements allowed to register."""
    mining_subsidy: int = 0
    """Units minted into the mining subsidy account that settlements pay rewards from."""
    mining_enabled: bool = False
    """Whether mining starts enabled (false on real networks: governance starts it)."""
    council: tuple[bytes, ...] = ()
    """The first council members (governance changes them later)."""
    vesting: tuple[tuple[bytes, int, int, int], ...] = ()
    """``(account, begin block, length in blocks, liquid amount)``: all of the account's
    endowment but ``liquid`` vests linearly over ``length`` blocks from ``begin``."""
    preset_overrides: tuple[tuple[str, int], ...] = ()
    """Constants this chain changes from its preset (already applied to :attr:`preset`),
    recorded on chain; a test network uses them for short periods."""
    spec_version: int = LATEST_SPEC_VERSION
    """The runtime release genesis runs (:mod:`khala.runtime.releases`); governance upgrades
    it later."""


DEV_COUNCIL = ("Alice", "Bob", "Charlie")
"""The dev chain's council: motions need two of the three for ½ and ⅔, all three for "all"."""


def dev_genesis(dev_root: bytes | None = None, authorities: int = 1) -> GenesisConfig:
    """Return the dev chain: //Alice..//Ferdie endowed, //Alice sudo, //Alice the authority.

    With ``dev_root`` (the dev PKI's root CA), simulated workers of this version may register.
    With ``authorities`` > 1 (a local cluster), the first that many dev accounts (//Alice,
    //Bob, //Charlie, ...) are the authority set, each with its ed25519 key of the same URI.
    """
    endowed = tuple(
        (keypair_from_uri(f"//{name}").public_key, DEV_ENDOWMENT) for name in DEV_ACCOUNTS
    )
    alice = keypair_from_uri("//Alice").public_key
    if not 1 <= authorities <= len(DEV_ACCOUNTS):
        raise GenesisError(
            GenesisErrorCode.INVALID_CONFIG, f"a dev chain has 1 to {len(DEV_ACCOUNTS)} authorities"
        )
    authority_set = tuple(
        Authority(
            keypair_from_uri(f"//{name}", KeyScheme.ED25519).public_key,
            keypair_from_uri(f"//{name}").public_key,
        )
        for name in DEV_ACCOUNTS[:authorities]
    )
    roots = () if dev_root is None else (dev_root,)
    measurements = () if dev_root is None else (simulated_measurement(),)
    return GenesisConfig(
        PRESETS[PresetName.DEV],
        endowed,
        authority_set,
        alice,
        roots,
        measurements,
        mining_subsidy=DEV_MINING_SUBSIDY,
        council=tuple(keypair_from_uri(f"//{name}").public_key for name in DEV_COUNCIL),
    )


def build_genesis_storage(
    config: GenesisConfig, releases: Mapping[int, Release] = RELEASES
) -> dict[bytes, bytes]:
    """Return the genesis key/value set: each present module's genesis builder in table order.

    The modules are those of the release ``config.spec_version`` names among ``releases``;
    each module's storage version is recorded too.

    Raises:
        UnknownRuntimeError: When no release has that spec version.
    """
    runtime = release(config.spec_version, releases).runtime
    state = State(Trie())
    for _, build in runtime.genesis_builders(config.preset):
        build(state, config)
    for module in runtime.present(config.preset):
        if module.storage_version:
            put_storage_version(state, module)
    return {key: value for key, value in state.changes().items() if value is not None}


def genesis_block_header(storage: dict[bytes, bytes]) -> Header:
    """Return the genesis header of a genesis storage set (layout V1)."""
    return genesis_header(trie_root(storage.items(), Layout.V1))


def preset_of(storage_get: Any) -> Preset:
    """Return the preset recorded in a chain's state (``storage_get(key) -> bytes | None``).

    Raises:
        GenesisError: ``genesis.unknown_preset`` when it is missing or unknown.
    """
    raw = storage_get(PRESET_KEY)
    try:
        preset = PRESETS[PresetName((raw or b"").decode())]
        return with_overrides(preset, parse_overrides(storage_get(PRESET_OVERRIDES_KEY)))
    except (ValueError, UnicodeDecodeError):
        raise GenesisError(
            GenesisErrorCode.UNKNOWN_PRESET, "the state names no known preset"
        ) from None


def _account(text: Any, where: str) -> bytes:
    if isinstance(text, str) and text.startswith("0x") and len(text) == 66:
        try:
            return bytes.fromhex(text[2:])
        except ValueError:
            pass
    if isinstance(text, str):
        try:
            return ss58_decode(text)[1]
        except Ss58Error as error:
            raise GenesisError(
                GenesisErrorCode.INVALID_CONFIG, f"{where}: {error.message}"
            ) from None
    raise GenesisError(GenesisErrorCode.INVALID_CONFIG, f"{where} must be an SS58 or 0x address")


def parse_genesis_config(document: Any) -> GenesisConfig:
    """Parse a genesis config document (already loaded from JSON).

    Raises:
        GenesisError: Naming the first bad field.
    """
    if not isinstance(document, dict):
        raise GenesisError(GenesisErrorCode.INVALID_CONFIG, "the genesis config must be an object")
    try:
        base = PRESETS[PresetName(document.get("preset", "dev"))]
    except ValueError:
        raise GenesisError(
            GenesisErrorCode.UNKNOWN_PRESET, f"preset {document.get('preset')!r}: use dev or khala"
        ) from None
    try:
        overrides = check_overrides(document.get("preset_overrides", {}))
    except ValueError as error:
        raise GenesisError(GenesisErrorCode.INVALID_CONFIG, str(error)) from None
    preset = with_overrides(base, overrides)
    spec_version = document.get("spec_version", LATEST_SPEC_VERSION)
    if spec_version not in RELEASES:
        known = ", ".join(str(version) for version in sorted(RELEASES))
        raise GenesisError(
            GenesisErrorCode.INVALID_CONFIG,
            f"spec_version {spec_version!r}: this khala has releases {known}",
        )
    endowed = []
    for position, entry in enumerate(document.get("endowed", [])):
        if not (isinstance(entry, list) and len(entry) == 2):
            raise GenesisError(
                GenesisErrorCode.INVALID_CONFIG, f"endowed[{position}] must be [address, amount]"
            )
        try:
            amount = parse_amount(str(entry[1]))
        except AmountError as error:
            raise GenesisError(
                GenesisErrorCode.INVALID_CONFIG, f"endowed[{position}]: {error.message}"
            ) from None
        endowed.append((_account(entry[0], f"endowed[{position}]"), amount))
    authorities = []
    for position, entry in enumerate(document.get("authorities", [])):
        where = f"authorities[{position}]"
        if not isinstance(entry, dict):
            raise GenesisError(GenesisErrorCode.INVALID_CONFIG, f"{where} must be an object")
        key = _account(entry.get("finality_key"), f"{where}.finality_key")
        authorities.append(Authority(key, _account(entry.get("account"), f"{where}.account")))
    if not authorities:
        raise GenesisError(GenesisErrorCode.INVALID_CONFIG, "at least one authority is required")
    sudo_text = document.get("sudo")
    sudo = None if sudo_text is None else _account(sudo_text, "sudo")
    if sudo is not None and not preset.has_sudo:
        raise GenesisError(
            GenesisErrorCode.SUDO_NOT_ALLOWED, f"the {preset.name} preset has no sudo module"
        )
    subsidy_text = document.get("mining_subsidy", "0")
    try:
        subsidy = parse_amount(str(subsidy_text))
    except AmountError as error:
        raise GenesisError(
            GenesisErrorCode.INVALID_CONFIG, f"mining_subsidy: {error.message}"
        ) from None
    enabled = document.get("mining_enabled", False)
    if not isinstance(enabled, bool):
        raise GenesisError(GenesisErrorCode.INVALID_CONFIG, "mining_enabled must be true or false")
    vesting = _vesting(document, preset, endowed)
    council = [
        _account(entry, f"council[{position}]")
        for position, entry in enumerate(document.get("council", []))
    ]
    roots = []
    for position, entry in enumerate(document.get("trusted_roots", [])):
        root = _hex_bytes(entry)
        if root is None:
            raise GenesisError(
                GenesisErrorCode.INVALID_CONFIG,
                f"trusted_roots[{position}] must be a DER certificate as 0x-prefixed hex",
            )
        roots.append(root)
    measurements = []
    for position, entry in enumerate(document.get("measurements", [])):
        measurement = _measurement(entry)
        if measurement is None:
            raise GenesisError(
                GenesisErrorCode.INVALID_CONFIG,
                f"measurements[{position}] must be a SCALE-encoded measurement as 0x hex",
            )
        measurements.append(measurement)
    return GenesisConfig(
        preset,
        tuple(endowed),
        tuple(authorities),
        sudo,
        tuple(roots),
        tuple(measurements),
        mining_subsidy=subsidy,
        mining_enabled=enabled,
        vesting=tuple(vesting),
        council=tuple(council),
        preset_overrides=overrides,
        spec_version=spec_version,
    )


def _vesting(
    document: dict[str, Any], preset: Preset, endowed: list[tuple[bytes, int]]
) -> list[tuple[bytes, int, int, int]]:
    """Read ``vesting`` and ``crowdloan`` entries (crowdloan accounts are endowed too).

    ``vesting``: ``[address, begin, length, liquid]``; ``crowdloan``: ``[address, amount]``,
    15 % liquid and the rest vesting over the preset's crowdloan period from block 0.
    """
    found = []
    for position, entry in enumerate(document.get("vesting", [])):
        where = f"vesting[{position}]"
        if not (isinstance(entry, list) and len(entry) == 4):
            raise GenesisError(
                GenesisErrorCode.INVALID_CONFIG, f"{where} must be [address, begin, length, liquid]"
            )
        begin, length = entry[1], entry[2]
        if not (isinstance(begin, int) and isinstance(length, int) and begin >= 0 and length > 0):
            raise GenesisError(
                GenesisErrorCode.INVALID_CONFIG, f"{where}: begin ≥ 0 and length > 0 blocks"
            )
        found.append((_account(entry[0], where), begin, length, _amount(entry[3], where)))
    for position, entry in enumerate(document.get("crowdloan", [])):
        where = f"crowdloan[{position}]"
        if not (isinstance(entry, list) and len(entry) == 2):
            raise GenesisError(
                GenesisErrorCode.INVALID_CONFIG, f"{where} must be [address, amount]"
            )
        who, amount = _account(entry[0], where), _amount(entry[1], where)
        endowed.append((who, amount))
        liquid = amount * CROWDLOAN_LIQUID_PERCENT // 100
        found.append((who, 0, preset.crowdloan_vesting_blocks, liquid))
    return found


def _hex_bytes(text: Any) -> bytes | None:
    if isinstance(text, str) and text.startswith("0x") and len(text) > 2:
        try:
            return bytes.fromhex(text[2:])
        except ValueError:
            return None
    return None


def _measurement(text: Any) -> Measurement | None:
    raw = _hex_bytes(text)
    if raw is None:
        return None
    try:
        found: Measurement = decode(Measurement, raw)
    except ScaleError:
        return None
    return found


def _amount(text: Any, where: str) -> int:
    try:
        return parse_amount(str(text))
    except AmountError as error:
        raise GenesisError(GenesisErrorCode.INVALID_CONFIG, f"{where}: {error.message}") from None
