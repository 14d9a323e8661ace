"""``khala gov upgrade``: authorize the switch to another runtime release this package ships."""

from __future__ import annotations

from typing import Any

import typer

from khala.cli.chain import JSON_OPTION, URL_OPTION
from khala.cli.council import VIA_OPTION, Via, govern
from khala.cli.output import CliError, CliErrorCode, emit, reported_errors
from khala.cli.submit import FROM_HELP
from khala.runtime.context import TWO_THIRDS
from khala.runtime.modules.system.calls import AuthorizeUpgrade
from khala.runtime.releases import RELEASES
from khala.sdk import Client
from khala.sdk.governance import pending_upgrade
from khala.sdk.mining import chain_preset


def upgrade(
    spec_version: int | None = typer.Option(
        None, "--spec-version", help="The release to switch to (see --list)."
    ),
    list_releases: bool = typer.Option(
        False, "--list", help="Show the releases this khala ships and what the chain runs."
    ),
    sender: str = typer.Option("//Alice", "--from", help=FROM_HELP),
    via: Via = VIA_OPTION,
    url: str = URL_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Authorize a runtime upgrade: the chain switches at the block after the call runs.

    The call carries the release's code hash (of its version and metadata for this chain's
    preset); a node without that release stops at the switch, naming the version to install.
    It needs two thirds of the council, or a referendum (`--via referendum`), or sudo on dev.
    Example: `khala gov upgrade --spec-version 8 --via referendum --from //Bob`.
    """
    with reported_errors(as_json=as_json):
        client = Client(url)
        preset = chain_preset(client)
        running = int(client.rpc("state_getRuntimeVersion")["specVersion"])
        if list_releases or spec_version is None:
            pending = pending_upgrade(client)
            payload: dict[str, Any] = {
                "running": running,
                "pending": None
                if pending is None
                else {"spec_version": pending.spec_version, "at": pending.at},
                "releases": [
                    {
                        "spec_version": version,
                        "code_hash": "0x" + found.code_hash(preset).hex(),
                        "summary": found.summary,
                    }
                    for version, found in sorted(RELEASES.items())
                ],
            }
            emit(payload, as_json=as_json, text=lambda: _releases_text(payload))
            return
        if spec_version not in RELEASES:
            known = ", ".join(str(version) for version in sorted(RELEASES))
            raise CliError(
                CliErrorCode.INVALID_ARGUMENT,
                f"--spec-version {spec_version}: this khala ships {known}",
            )
        if spec_version <= running:
            raise CliError(
                CliErrorCode.INVALID_ARGUMENT,
                f"the chain runs spec_version {running}; upgrade to a higher one",
            )
        code_hash = RELEASES[spec_version].code_hash(preset)
        call = AuthorizeUpgrade(spec_version, code_hash)
        extra = {"spec_version": spec_version, "code_hash": "0x" + code_hash.hex()}
        what = f"upgrade to spec_version {spec_version}"
        govern(
            client, sender, call, what=what, as_json=as_json, via=via, extra=extra, share=TWO_THIRDS
        )


def _releases_text(payload: dict[str, Any]) -> str:
    lines = [f"the chain runs spec_version {payload['running']}"]
    if payload["pending"] is not None:
        pending = payload["pending"]
        lines.append(f"switching to {pending['spec_version']} at block #{pending['at']}")
    for entry in payload["releases"]:
        mark = "*" if entry["spec_version"] == payload["running"] else " "
        lines.append(f"{mark} {entry['spec_version']}: {entry['summary']} ({entry['code_hash']})")
    return "\n".join(lines)
