"""Sudo's storage."""

from __future__ import annotations

from khala.runtime.modules.sudo.constants import MODULE_NAME
from khala.runtime.storage import StorageValue
from khala.runtime.types import AccountId

KEY: StorageValue[bytes | None] = StorageValue(MODULE_NAME, "Key", AccountId | None, None)
"""Sudo.Key: the account allowed to act as root."""
