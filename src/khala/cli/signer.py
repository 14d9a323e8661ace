"""Signing keys on the command line: a secret URI, a mnemonic, or a keystore name.

``--from NAME`` unlocks the keystore entry ``NAME`` with ``$KHALA_PASSPHRASE`` or, when it is not
set, a passphrase typed at a hidden prompt; anything else is read as a secret URI or mnemonic.
"""

from __future__ import annotations

import getpass
import os

from khala.primitives.crypto import Keypair
from khala.sdk import keyring

PASSPHRASE_ENV = "KHALA_PASSPHRASE"  # noqa: S105 - a variable name, not a secret
"""Environment variable holding the keystore passphrase (for scripts)."""


def ask_passphrase(name: str) -> str:
    """The passphrase of keystore entry ``name``: ``$KHALA_PASSPHRASE``, else a hidden prompt."""
    return os.environ.get(PASSPHRASE_ENV) or getpass.getpass(f"passphrase for {name}: ")


def signer(secret: str) -> Keypair:
    """The key pair ``--from`` names (a keystore name, a secret URI or a mnemonic)."""
    return keyring.pair(secret, passphrase=ask_passphrase)
