"""Helpers that drive a node with the Substrate ecosystem's own clients (nobody here wrote them).

substrate-interface runs in-process; @polkadot/api runs under node from ``tests/js`` (installed
by ``make js-deps``, which ``make test`` runs first). A missing installation fails the test with
the command to run, never skips it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from substrateinterface import SubstrateInterface

from khala.primitives.scale import codec_of
from khala.runtime.events import EventRecord
from khala.runtime.outer import module_index_of
from khala.runtime.table import RUNTIME
from khala.sdk import Client
from khala.sdk.core import EVENTS_KEY

JS_DIR = Path(__file__).resolve().parent.parent / "js"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "node.md"
JS_TIMEOUT_S = 300


def polkadot_js(url: str, *block_hashes: str) -> dict[str, Any]:
    """Run ``tests/js/check.mjs`` (@polkadot/api) against ``url``; return its JSON report."""
    node = shutil.which("node")
    assert node is not None, "node is not installed; the polkadot.js tests need Node.js >= 18"
    assert (JS_DIR / "node_modules" / "@polkadot" / "api").is_dir(), (
        "@polkadot/api is not installed: run `make js-deps` (npm ci in tests/js)"
    )
    done = subprocess.run(
        [node, str(JS_DIR / "check.mjs"), url, *block_hashes],
        capture_output=True,
        text=True,
        timeout=JS_TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def doc_example(language: str) -> str:
    """The code block of ``docs/node.md`` tagged ``<language>`` (``js polkadot.js``)."""
    text = DOCS.read_text()
    start = text.index(f"```{language}\n") + len(language) + 4
    return text[start : text.index("```", start)]


def run_doc_examples(port: int) -> tuple[str, str]:
    """Run the node guide's substrate-interface and polkadot.js examples against ``port``."""
    url = f"ws://127.0.0.1:{port}"
    python = doc_example("python substrate-interface").replace("ws://127.0.0.1:9944", url)
    done = subprocess.run(
        [sys.executable, "-c", python], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    script = doc_example("js polkadot.js").replace("ws://127.0.0.1:9944", url)
    node = shutil.which("node")
    assert node is not None, "node is not installed; the polkadot.js tests need Node.js >= 18"
    js = subprocess.run(
        [node, "--input-type=module"],
        input=script,
        cwd=JS_DIR,
        capture_output=True,
        text=True,
        timeout=JS_TIMEOUT_S,
        check=False,
    )
    assert js.returncode == 0, js.stdout + js.stderr
    return done.stdout, js.stdout


def our_event_names(client: Client, block_hash: str) -> list[tuple[str, str]]:
    """``(module, event)`` of every event at a block, decoded by khala's own declarations."""
    raw = client.rpc("state_getStorage", "0x" + EVENTS_KEY.hex(), block_hash)
    names = []
    for record in codec_of(list[EventRecord]).decode(bytes.fromhex(raw[2:])):
        index = module_index_of("event", record.event)
        module = RUNTIME.module(index) if index is not None else None
        assert module is not None
        names.append((module.name, type(record.event).__name__))
    return names


def their_event_names(substrate: SubstrateInterface, block_hash: str) -> list[tuple[str, str]]:
    """``(module, event)`` of every event at a block, decoded by substrate-interface's metadata."""
    return [
        (event.value["module_id"], event.value["event_id"])
        for event in substrate.get_events(block_hash)
    ]


def decode_every_block(
    url: str, substrate: SubstrateInterface
) -> tuple[Counter[tuple[str, str]], dict[tuple[str, str], str]]:
    """Decode ``System.Events`` of every block with both decoders; they must agree exactly.

    Returns how often each ``(module, event)`` occurred, and the first block holding each.
    """
    client = Client(url)
    seen: Counter[tuple[str, str]] = Counter()
    first: dict[tuple[str, str], str] = {}
    for number in range(1, client.head().number + 1):
        block_hash = "0x" + client.block(number).block_hash.hex()
        ours = our_event_names(client, block_hash)
        assert their_event_names(substrate, block_hash) == ours, f"block {number}"
        seen.update(ours)
        for name in ours:
            first.setdefault(name, block_hash)
    return seen, first
