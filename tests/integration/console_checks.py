"""The web console in headless Chromium against a running devnet (run by test_devnet.py).

Opens every page, checks that workers, pools and a chart render with live data, contributes to
the pool through the staking page and sees the pool's value rise. Then deploys the Web3
Analytics example to a cluster of the devnet's worker, records page views as encrypted
commands through the CLI, and reads the aggregates on the contracts page. Screenshots of each
page go to ``test-artifacts/console/`` (ignored by git).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import wasmtime
from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver

from khala.console.layout import PAGES
from khala.contracts.abi import InkMetadata
from khala.primitives.crypto import keypair_from_uri
from khala.primitives.hashing import blake2_256
from khala.runtime.modules.phat import state as pst
from khala.runtime.modules.phat.calls import AddCluster, InstantiateContract, UploadCode
from khala.runtime.modules.phat.ids import cluster_id, contract_id
from khala.runtime.modules.phat.types import ContractStatus, Public
from khala.runtime.modules.sudo.calls import Sudo
from khala.sdk import Client
from khala.sdk.contracts import ContractInstance
from khala.sdk.mining import read
from khala.sdk.pools import pool_status
from tests.integration.devnet_process import get_json

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "analytics"
"""The Web3 Analytics example (WAT and metadata)."""

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "console"
"""Where the screenshots go."""


def _browser() -> WebDriver:
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1000"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def _charts_drawn(browser: WebDriver) -> bool:
    """Every chart on the page has drawn its canvas."""
    charts = browser.find_elements(By.CSS_SELECTOR, ".nicegui-echart")
    return all(chart.find_elements(By.TAG_NAME, "canvas") for chart in charts)


def _until(what: str, condition: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except (StaleElementReferenceException, NoSuchElementException):
            pass  # the page re-rendered under us: look again
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def _analytics(
    browser: WebDriver, console: str, state: dict[str, Any], cluster_number: int
) -> None:
    """Deploy the analytics example, record views (SDK), read them on the contracts page.

    The SDK runs in this process: the devnet test already drives the same steps through the
    CLI, and each CLI process costs seconds of start-up on a busy machine.
    """
    client = Client(f"http://127.0.0.1:{state['rpc_port']}")
    alice, bob = keypair_from_uri("//Alice"), keypair_from_uri("//Bob")
    worker = bytes.fromhex(
        get_json(f"http://127.0.0.1:{state['worker_ports']['w1'][0]}/info")["pubkey"][2:]
    )
    cluster = cluster_id(cluster_number)
    if read(client, pst.CLUSTERS, cluster) is None:
        create = AddCluster(alice.public_key, Public(), [worker], 1000 * 10**12, 1, 0, 0)
        assert client.submit(client.sign(alice, Sudo(create))).success
    wasm = wasmtime.wat2wasm((EXAMPLE / "analytics.wat").read_text())
    metadata = InkMetadata.load(EXAMPLE / "analytics.json")
    assert client.submit(client.sign(alice, UploadCode(cluster, wasm))).success
    data = metadata.encode_call(metadata.constructor("new"), [])
    instantiate = InstantiateContract(blake2_256(wasm), data, b"", cluster, 0, 10**10, None, 0)
    assert client.submit(client.sign(alice, instantiate)).success
    contract = contract_id(alice.public_key, blake2_256(wasm), cluster, b"")
    address = "0x" + contract.hex()

    def ready() -> bool:
        info = read(client, pst.CONTRACTS, contract)
        keyed = read(client, pst.CONTRACT_KEYS, contract) is not None
        return info is not None and info.status is ContractStatus.INSTANTIATED and keyed

    _until("the contract instantiated and keyed", ready, 120)
    analytics = ContractInstance(client, metadata, contract, signer=bob)
    for index, visitor in enumerate((b"\x11", b"\x22", b"\x11")):
        deposit = 10 * 10**12 if index == 0 else 0  # Bob's gas money in the cluster
        receipt = analytics.tx.record("/home", 20001, visitor * 32, deposit=deposit)
        assert receipt.success

    def counted() -> bool:
        return bool(analytics.query.views("/home", 20001).value == 3)

    _until("the views counted", counted, 90)
    browser.get(console + "/contracts")
    _until("the contract list", lambda: address[:10] in browser.page_source)
    for testid, text in (
        ("analytics-address", address),
        ("analytics-page", "/home"),
        ("analytics-first-day", "20000"),
    ):
        field = browser.find_element(By.CSS_SELECTOR, f'[data-testid="{testid}"]')
        if field.tag_name != "input":  # Quasar may keep the attribute on the wrapper
            field = field.find_element(By.TAG_NAME, "input")
        field.send_keys(Keys.CONTROL, "a")  # clear() leaves Quasar's model as it was
        field.send_keys(Keys.DELETE)
        field.send_keys(text)
    browser.find_element(By.CSS_SELECTOR, '[data-testid="analytics-show"]').click()
    table = '[data-testid="analytics"]'

    def shown() -> bool:
        rows = browser.find_elements(By.CSS_SELECTOR, table + " tbody tr")
        cells = [[c.text for c in row.find_elements(By.TAG_NAME, "td")] for row in rows]
        return ["20001", "3", "2"] in cells and ["20000", "0", "0"] in cells

    try:
        _until("the aggregates", shown, 60)
    finally:
        browser.save_screenshot(str(ARTIFACTS / "contracts-analytics.png"))


def check_console(state: dict[str, Any], cluster_number: int) -> None:
    """Every page renders live data; a contribution through the staking page; analytics.

    The analytics example goes to cluster ``cluster_number`` (created with w1 if it does not
    exist yet), and its aggregates are read on the contracts page.
    """
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    console = f"http://127.0.0.1:{state['console_port']}"
    client = Client(f"http://127.0.0.1:{state['rpc_port']}")
    browser = _browser()
    try:
        for path, name in PAGES:
            browser.get(console + path)
            _until(f"the {name} page", lambda: "waiting for the node" not in browser.page_source)
            _until(f"the {name} charts", lambda: _charts_drawn(browser))
            browser.save_screenshot(str(ARTIFACTS / f"{name.lower()}.png"))
            assert name in browser.page_source

        browser.get(console + "/mining")
        _until("workers computing", lambda: "WorkerIdle" in browser.page_source)
        _until(
            "a chart",
            lambda: bool(browser.find_elements(By.CSS_SELECTOR, ".nicegui-echart canvas")),
        )
        browser.get(console + "/pools")
        _until(
            "the pool",
            lambda: "PHA" in browser.find_element(By.CSS_SELECTOR, '[data-testid="pools"]').text,
        )
        browser.get(console + "/governance")
        _until(
            "the schedule",
            lambda: bool(browser.find_elements(By.CSS_SELECTOR, '[data-testid="scheduled"]')),
        )

        before = pool_status(client, 0)
        assert before is not None
        browser.get(console + "/staking")
        _until(
            "the form",
            lambda: bool(browser.find_elements(By.CSS_SELECTOR, '[data-testid="contribute"]')),
        )
        browser.find_element(By.CSS_SELECTOR, '[data-testid="contribute"]').click()
        outcome = '[data-testid="staking-outcome"]'
        _until(
            "the contribution",
            lambda: "included in block" in browser.find_element(By.CSS_SELECTOR, outcome).text,
            90,
        )
        browser.save_screenshot(str(ARTIFACTS / "staking-done.png"))
        after = pool_status(client, 0)
        assert after is not None
        assert after.info.total_value >= before.info.total_value + 1_000 * 10**12
        _analytics(browser, console, state, cluster_number)
    finally:
        browser.quit()
