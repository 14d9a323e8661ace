"""PHA amounts: parse ``"1.5PHA"`` into units (10^-12 PHA) and format units back.

Exact decimal arithmetic on strings; never floats.
"""

from __future__ import annotations

from enum import StrEnum

from khala.errors import KhalaError

DECIMALS = 12
"""PHA has 12 decimals: 1 PHA = 10^12 units."""
UNITS_PER_PHA: int = 10**DECIMALS
"""Units in one PHA."""
SYMBOL = "PHA"
"""The token symbol."""


class AmountErrorCode(StrEnum):
    """Codes of :class:`AmountError`."""

    INVALID_AMOUNT = "amount.invalid"
    """The text is not a non-negative number of PHA or units."""
    TOO_PRECISE = "amount.too_precise"
    """More than 12 decimals: smaller than one unit."""


class AmountError(KhalaError):
    """An amount could not be parsed."""


def parse_amount(text: str) -> int:
    """Parse ``"1.5PHA"``, ``"1.5 PHA"`` or ``"1500000000000"`` (units) into units.

    Raises:
        AmountError: For negative, malformed or over-precise amounts.
    """
    cleaned = text.strip().replace("_", "")
    in_pha = cleaned.upper().endswith(SYMBOL)
    number = cleaned[: -len(SYMBOL)].strip() if in_pha else cleaned
    whole, dot, fraction = number.partition(".")
    if (
        not whole.isdigit()
        or not whole.isascii()
        or (dot and not (fraction.isdigit() or fraction == ""))
    ):
        raise AmountError(
            AmountErrorCode.INVALID_AMOUNT,
            f"{text!r} is not an amount; write e.g. 1.5PHA or a whole number of units",
        )
    if not in_pha:
        if dot:
            raise AmountError(
                AmountErrorCode.INVALID_AMOUNT, f"{text!r}: units are whole; add PHA for decimals"
            )
        return int(whole)
    if len(fraction) > DECIMALS:
        raise AmountError(
            AmountErrorCode.TOO_PRECISE, f"{text!r} has more than {DECIMALS} decimals"
        )
    return int(whole) * UNITS_PER_PHA + int(fraction.ljust(DECIMALS, "0") or "0")


def format_amount(units: int) -> str:
    """Format units as PHA with trailing zeros removed, e.g. ``1.5 PHA``."""
    whole, fraction = divmod(units, UNITS_PER_PHA)
    text = f"{whole}.{fraction:012d}".rstrip("0").rstrip(".")
    return f"{text} {SYMBOL}"
