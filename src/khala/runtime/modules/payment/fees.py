"""Fee computation, charging and distribution (TransactionPayment's public functions)."""

from __future__ import annotations

from khala.runtime.context import Context
from khala.runtime.errors import InvalidTransactionCode, InvalidTransactionError
from khala.runtime.modules.balances import currency
from khala.runtime.modules.payment.constants import (
    BASE_FEE,
    LENGTH_FEE,
    TREASURY_ACCOUNT,
    TREASURY_PERCENT,
    WEIGHT_FEE_DIVISOR,
)
from khala.runtime.modules.payment.events import TransactionFeePaid
from khala.runtime.state import State
from khala.runtime.types import Pays


def fee_parts(length: int, weight: int) -> tuple[int, int, int]:
    """The fee's parts: the base fee, the length fee and the weight fee (``query_fee_details``)."""
    return BASE_FEE, LENGTH_FEE * length, weight // WEIGHT_FEE_DIVISOR


def compute_fee(length: int, weight: int, pays: Pays) -> int:
    """Return the fee (without tip) of an extrinsic of ``length`` bytes and ``weight``."""
    if pays is Pays.NO:
        return 0
    return sum(fee_parts(length, weight))


def check_payable(state: State, who: bytes, amount: int) -> None:
    """Refuse a transaction whose sender cannot pay ``amount`` and stay alive.

    Raises:
        InvalidTransactionError: ``invalid_transaction.payment``.
    """
    if currency.can_withdraw(state, who, amount, keep_alive=True) is not None:
        raise InvalidTransactionError(
            InvalidTransactionCode.PAYMENT,
            f"inability to pay some fees: {amount} units needed and the account must keep 0.01 PHA",
        )


def charge(state: State, ctx: Context, who: bytes, fee: int, tip: int) -> None:
    """Withdraw fee and tip before dispatch (checked payable beforehand)."""
    if fee + tip:
        currency.withdraw(state, ctx, who, fee + tip, keep_alive=True)


def settle(state: State, ctx: Context, who: bytes, fee: int, tip: int) -> None:
    """Pay the treasury and the author their shares, then emit ``TransactionFeePaid``."""
    if fee + tip:
        treasury_share = fee * TREASURY_PERCENT // 100
        author_share = fee - treasury_share + tip
        currency.deposit(state, ctx, TREASURY_ACCOUNT, treasury_share)
        author = ctx.env.author
        if author is None:
            currency.deposit(state, ctx, TREASURY_ACCOUNT, author_share)
        else:
            currency.deposit(state, ctx, author, author_share)
    ctx.emit(TransactionFeePaid(who, fee + tip, tip))
