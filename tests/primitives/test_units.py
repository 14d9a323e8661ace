"""Amounts: exact parsing with explicit units, and formatting back."""

from __future__ import annotations

import pytest

from khala.primitives.units import AmountError, AmountErrorCode, format_amount, parse_amount


@pytest.mark.parametrize(
    ("text", "units"),
    [
        ("1.5PHA", 1_500_000_000_000),
        ("1.5 pha", 1_500_000_000_000),
        ("0.000000000001PHA", 1),
        ("1500000000000planck", 1_500_000_000_000),
        ("7 planck", 7),
        ("1_000PHA", 1_000_000_000_000_000),
        ("0", 0),
    ],
)
def test_amounts_with_units_parse_exactly(text: str, units: int) -> None:
    """PHA with up to 12 decimals, whole plancks, and a bare zero."""
    assert parse_amount(text, require_unit=True) == units


def test_a_bare_number_needs_a_unit_on_the_command_line() -> None:
    """``1`` could be 1 PHA or 1 planck: refused, showing both spellings."""
    with pytest.raises(AmountError) as caught:
        parse_amount("1", require_unit=True)
    assert caught.value.code is AmountErrorCode.MISSING_UNIT
    assert "1PHA" in caught.value.message and "1planck" in caught.value.message
    assert parse_amount("1") == 1  # genesis files state units


def test_fractions_of_a_planck_and_malformed_text_are_refused() -> None:
    """Planck is indivisible; more than 12 decimals of PHA is too precise."""
    for text, code in [
        ("1.5planck", AmountErrorCode.INVALID_AMOUNT),
        ("0.0000000000001PHA", AmountErrorCode.TOO_PRECISE),
        ("-1PHA", AmountErrorCode.INVALID_AMOUNT),
    ]:
        with pytest.raises(AmountError) as caught:
            parse_amount(text, require_unit=True)
        assert caught.value.code is code


def test_formatting_drops_trailing_zeros() -> None:
    """Units format as PHA, exactly."""
    assert format_amount(1_500_000_000_000) == "1.5 PHA"
    assert format_amount(1) == "0.000000000001 PHA"
