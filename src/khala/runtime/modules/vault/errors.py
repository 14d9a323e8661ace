"""Vault dispatch errors (each with its declared on-chain index)."""

from __future__ import annotations

from khala.runtime.errors import DispatchError, ModuleErrorCode
from khala.runtime.modules.vault.constants import MODULE_INDEX


class VaultErrorCode(ModuleErrorCode):
    """Vault error codes."""

    VAULT_NOT_FOUND = "vault.vault_not_found", 0
    """No vault has this id (``khala vault list`` shows them)."""
    NOT_OWNER = "vault.not_owner", 1
    """Only the vault's owner may do this."""
    CONTRIBUTION_TOO_SMALL = "vault.contribution_too_small", 2
    """Contributions are at least 0.01 PHA."""
    INSUFFICIENT_BALANCE = "vault.insufficient_balance", 3
    """The account cannot spend that much and keep 0.01 PHA."""
    INVALID_WITHDRAWAL = "vault.invalid_withdrawal", 4
    """The shares are dust or more than the account holds in the vault."""
    VAULT_BANKRUPT = "vault.vault_bankrupt", 5
    """The vault has shares but no value; it takes no contributions."""
    INSUFFICIENT_FREE = "vault.insufficient_free", 6
    """The vault's free PHA cannot cover the investment."""
    VAULT_LOCKED = "vault.vault_locked", 7
    """A forced withdrawal is under way: investing and divesting wait until it is paid."""
    TOO_MANY_POOLS = "vault.too_many_pools", 8
    """A vault invests in at most 32 pools."""
    NOT_INVESTED = "vault.not_invested", 9
    """The vault holds no shares in that pool."""
    INVALID_COMMISSION = "vault.invalid_commission", 10
    """Commission is a permill: 0 to 1,000,000."""
    NO_OWNER_SHARES = "vault.no_owner_shares", 11
    """The owner has fewer unclaimed shares than asked (or asked for none)."""


def vault_error(code: VaultErrorCode, message: str) -> DispatchError:
    """Build a vault dispatch error."""
    return DispatchError(code, message, module_index=MODULE_INDEX)
