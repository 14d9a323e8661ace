"""Accounts as users write them: SS58, 0x hex, dev URIs; names get a suggestion."""

from __future__ import annotations

import pytest

from khala.primitives.crypto import keypair_from_uri
from khala.primitives.ss58 import Ss58Error, ss58_encode
from khala.sdk.core import account_id

BOB = keypair_from_uri("//Bob").public_key


def test_every_spelling_of_bob_is_bob() -> None:
    """SS58, hex and the dev URI name the same account."""
    assert account_id(ss58_encode(BOB)) == BOB
    assert account_id("0x" + BOB.hex()) == BOB
    assert account_id("//Bob") == BOB


def test_a_bare_name_suggests_the_dev_uri() -> None:
    """``Bob`` is not an address: the error says to write //Bob."""
    with pytest.raises(Ss58Error) as caught:
        account_id("Bob")
    assert "//Bob" in caught.value.message
