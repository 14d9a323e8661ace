"""PHA amounts: parse ``"1.5PHA"`` into units (10^-12 PHA) and format units back.

Exact decimal arithmetic on strings; never floats.
"""

from __future__ import annotations

from enum import StrEnum

from khala.errors import KhalaError
from khala.primitives.fixed_point import U64F64

DECIMALS = 12
"""PHA has 12 decimals: 1 PHA = 10^12 units."""
UNITS_PER_PHA: int = 10**DECIMALS
"""Units in one PHA."""
SYMBOL = "PHA"
"""The token symbol."""
SMALLEST_UNIT = "planck"
"""The name of one unit (10^-12 PHA), as Substrate tools call the smallest denomination."""
CONVERSION_BITS = 48
"""Fraction bits of the intermediate ``U80F48`` in Phala's balance conversion
(``balance_convert.rs``): every planck ↔ U64F64 conversion passes through it, so khala converts
the same way to land on the same planck."""


def planck_to_fixed(balance: int) -> U64F64:
    """``balance`` planck as PHA in U64F64, via U80F48 as Phala converts (truncated)."""
    bits48 = (balance << CONVERSION_BITS) // UNITS_PER_PHA
    return U64F64(bits48 << (64 - CONVERSION_BITS))


def fixed_to_planck(value: U64F64) -> int:
    """A U64F64 PHA amount as planck, via U80F48 as Phala converts (truncated)."""
    bits48 = value.bits >> (64 - CONVERSION_BITS)
    return (bits48 * UNITS_PER_PHA) >> CONVERSION_BITS


class AmountErrorCode(StrEnum):
    """Codes of :class:`AmountError`."""

    INVALID_AMOUNT = "amount.invalid"
    """The text is not a non-negative number of PHA or units."""
    TOO_PRECISE = "amount.too_precise"
    """More than 12 decimals: smaller than one unit."""
    MISSING_UNIT = "amount.missing_unit"
    """A bare number on the command line: say ``PHA`` or ``planck``."""


class AmountError(KhalaError):
    """An amount could not be parsed."""


def parse_amount(text: str, *, require_unit: bool = False) -> int:
    """Parse ``"1.5PHA"``, ``"1.5 PHA"``, ``"1500000000000planck"`` or ``"1500000000000"``.

    Args:
        text: The amount.
        require_unit: Refuse a bare number other than 0 (the command line: ``--amount 1``
            could mean 1 PHA or 1 planck, so it must say which).

    Raises:
        AmountError: For negative, malformed, unit-less (when required) or over-precise amounts.
    """
    cleaned = text.strip().replace("_", "")
    in_pha = cleaned.upper().endswith(SYMBOL)
    in_planck = cleaned.lower().endswith(SMALLEST_UNIT)
    if in_planck:
        cleaned = cleaned[: -len(SMALLEST_UNIT)].strip()
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
    if require_unit and not in_pha and not in_planck and number != "0":
        raise AmountError(
            AmountErrorCode.MISSING_UNIT,
            f"{text!r} has no unit: write {number}PHA, or {number}planck for units of 10^-12 PHA",
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
