"""Runtime upgrades: a launch chain (release 7) gains mining by governance (release 8).

Each block executes with the release the chain records; ``system.authorize_upgrade`` switches
at the next block, where the new modules migrate; a node that lacks the release, or holds a
build with another code hash, stops before executing that block.
"""

from __future__ import annotations

from typing import Any

import pytest

from khala.primitives.scale import Err, Ok
from khala.runtime.context import CouncilOrigin
from khala.runtime.dispatch import module_error_code
from khala.runtime.errors import InvalidTransactionError
from khala.runtime.modules.computation import state as cst
from khala.runtime.modules.computation.calls import SetMiningEnabled
from khala.runtime.modules.computation.declaration import MODULE as COMPUTATION
from khala.runtime.modules.computation.tokenomics import GEMINI
from khala.runtime.modules.sudo.calls import Sudo
from khala.runtime.modules.sudo.events import Sudid
from khala.runtime.modules.system import state as system_state
from khala.runtime.modules.system.calls import AuthorizeUpgrade
from khala.runtime.modules.system.events import CodeUpdated
from khala.runtime.presets import DEV
from khala.runtime.releases import RELEASES, UnknownRuntimeError, UpgradeErrorCode
from khala.runtime.state import State
from khala.runtime.table import CONTRACT_MODULES, MINING_MODULES
from khala.runtime.upgrades import spec_version_of, storage_version_of
from khala.runtime.version import SPEC_VERSION
from tests.runtime.gov_world import GovWorld
from tests.runtime.harness import PHA, Harness, ed

ALICE = ed("Alice")
LAUNCH = 7


class LaunchChain:
    """A dev chain started on the launch release, Alice its sudo key."""

    def __init__(self) -> None:
        self.harness = Harness(
            {ALICE.public_key: 1000 * PHA},
            sudo=ALICE.public_key,
            genesis_spec_version=LAUNCH,
            spec_version=LAUNCH,
        )
        self.nonce = 0

    def sudo(self, call: Any) -> Any:
        """Dispatch ``call`` as root; return ``Sudid``'s result."""
        raw = self.harness.sign(ALICE, Sudo(call), nonce=self.nonce)
        self.nonce += 1
        self.harness.block([raw])
        return next(e.sudo_result for e in self.harness.events() if isinstance(e, Sudid))

    def state(self) -> State:
        return self.harness.state()


def _error_code(result: Any) -> str:
    assert isinstance(result, Err)
    error = result.error
    return module_error_code(error.error.index, error.error.error[0])


def test_the_package_ships_the_launch_mining_and_contracts_releases() -> None:
    """Release 7 lacks the mining modules, 8 the contract modules; the newest is current."""
    assert sorted(RELEASES) == [LAUNCH, 8, SPEC_VERSION]
    launch = {module.name for module in RELEASES[LAUNCH].runtime.modules}
    mining = {module.name for module in RELEASES[8].runtime.modules}
    full = {module.name for module in RELEASES[SPEC_VERSION].runtime.modules}
    assert mining - launch == {module.name for module in MINING_MODULES}
    assert full - mining == {module.name for module in CONTRACT_MODULES}
    hashes = {RELEASES[version].code_hash(DEV) for version in RELEASES}
    assert len(hashes) == 3


def test_a_launch_chain_has_no_mining_until_the_upgrade() -> None:
    """Mining calls are filtered on release 7; after the upgrade they dispatch."""
    chain = LaunchChain()
    assert spec_version_of(chain.state()) == LAUNCH
    assert _error_code(chain.sudo(SetMiningEnabled(True))) == "system.call_filtered"
    with pytest.raises(InvalidTransactionError):
        chain.harness.executive.validate_transaction(
            chain.state(),
            chain.harness.sign(ALICE, SetMiningEnabled(True), nonce=chain.nonce),
            chain.harness.head.number + 1,
        )

    code_hash = RELEASES[SPEC_VERSION].code_hash(DEV)
    assert chain.sudo(AuthorizeUpgrade(SPEC_VERSION, code_hash)) == Ok(())
    pending = system_state.AUTHORIZED_UPGRADE.get(chain.state())
    assert pending is not None and pending.at == chain.harness.head.number + 1
    assert state_has_no_computation(chain.state())

    chain.harness.spec_version = SPEC_VERSION  # the wallet follows the chain's version
    chain.harness.block([])  # the switch block
    state = chain.state()
    assert CodeUpdated() in chain.harness.events()
    assert spec_version_of(state) == SPEC_VERSION
    assert system_state.AUTHORIZED_UPGRADE.get(state) is None
    assert storage_version_of(state, COMPUTATION) == 1
    assert state.get(cst.TOKENOMIC_PARAMETERS.key) is not None
    assert cst.TOKENOMIC_PARAMETERS.get(state) == GEMINI
    assert chain.sudo(SetMiningEnabled(True)) == Ok(())
    assert cst.MINING_ENABLED.get(chain.state()) is True


def state_has_no_computation(state: State) -> bool:
    """Nothing of computation is stored before the upgrade."""
    return state.get(cst.TOKENOMIC_PARAMETERS.key) is None and (
        storage_version_of(state, COMPUTATION) == 0
    )


def test_transactions_signed_for_the_old_version_fail_after_the_switch() -> None:
    """The spec version is part of the signed payload: a wallet must follow the upgrade."""
    chain = LaunchChain()
    chain.sudo(AuthorizeUpgrade(SPEC_VERSION, RELEASES[SPEC_VERSION].code_hash(DEV)))
    chain.harness.spec_version = SPEC_VERSION
    chain.harness.block([])
    chain.harness.spec_version = LAUNCH
    stale = chain.harness.sign(ALICE, Sudo(SetMiningEnabled(True)), nonce=chain.nonce)
    with pytest.raises(InvalidTransactionError) as raised:
        chain.harness.executive.validate_transaction(
            chain.state(), stale, chain.harness.head.number + 1
        )
    assert raised.value.code.value == "invalid_transaction.bad_proof"


@pytest.mark.parametrize(
    ("spec_version", "code_hash", "code"),
    [
        (99, bytes(32), UpgradeErrorCode.UNKNOWN_VERSION),
        (SPEC_VERSION, bytes(32), UpgradeErrorCode.CODE_MISMATCH),
    ],
)
def test_a_node_without_the_release_stops_before_the_switch_block(
    spec_version: int, code_hash: bytes, code: UpgradeErrorCode
) -> None:
    """The block that would switch is never built: the error names the version to install."""
    chain = LaunchChain()
    chain.sudo(AuthorizeUpgrade(spec_version, code_hash))
    head = chain.harness.head
    with pytest.raises(UnknownRuntimeError) as raised:
        chain.harness.block([])
    assert raised.value.code is code
    assert f"spec_version {spec_version}" in raised.value.message
    assert chain.harness.head == head


def test_upgrades_must_raise_the_version_and_need_two_thirds_of_the_council() -> None:
    """Equal or lower versions are refused; half of the council is not enough."""
    chain = LaunchChain()
    code = _error_code(chain.sudo(AuthorizeUpgrade(LAUNCH, bytes(32))))
    assert code == "system.spec_version_needs_to_increase"
    world = GovWorld()
    upgrade = AuthorizeUpgrade(SPEC_VERSION + 1, bytes(32))
    assert world.call(CouncilOrigin(1, 2), upgrade) == "dispatch.bad_origin"
    assert world.call(CouncilOrigin(2, 3), upgrade) is None
