"""U64F64: exact integer arithmetic rounding toward zero, checked against exact rationals."""

from __future__ import annotations

from decimal import Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from khala.primitives.fixed_point import (
    MAX_BITS,
    ONE,
    U64F64,
    ZERO,
    FixedPointError,
    FixedPointErrorCode,
)

SCALE = 2**64
RHO = "1.000000666600231"  # Phala's per-block V growth factor (DESIGN.md §7)
_values = st.integers(0, MAX_BITS).map(U64F64)


def _exact(value: U64F64) -> Fraction:
    return Fraction(value.bits, SCALE)


def test_from_decimal_is_the_nearest_value() -> None:
    """ρ parses to ρ·2^64 rounded to nearest (ties to even), as Phala's literals do."""
    rho = U64F64.from_decimal(RHO)
    assert rho.bits == round(Fraction(RHO) * SCALE)
    assert U64F64.from_decimal("2").bits == 2 * SCALE
    assert U64F64.from_decimal("0.5").bits == SCALE // 2


@pytest.mark.parametrize(
    ("text", "sqrt_decimal"),
    [
        ("2", "1.41421356237309504880168872420969807856967187537694"),
        ("30000", "173.205080756887729352744634150587236694280525381038"),
        ("0.25", "0.5"),
    ],
)
def test_sqrt_vectors(text: str, sqrt_decimal: str) -> None:
    """Sqrt equals the floor of the published decimal expansion times 2^64."""
    root = U64F64.from_decimal(text).sqrt()
    assert root.bits == int(Fraction(sqrt_decimal) * SCALE)


@given(_values)
def test_sqrt_is_largest_root_not_above(value: U64F64) -> None:
    """R = sqrt(x) satisfies r² ≤ x < (r + ulp)² exactly."""
    root = value.sqrt()
    assert _exact(root) ** 2 <= _exact(value) < Fraction(root.bits + 1, SCALE) ** 2


@pytest.mark.parametrize("exponent", [0, 1, 2, 10, 300, 7_200, 2_628_000])
def test_rho_power_vectors(exponent: int) -> None:
    """ρ^n never exceeds the exact power and is short by at most ~n ulps per unit.

    The exact value comes from exact rationals on the same parsed ρ (80-digit decimals for
    the largest exponent, where rationals are too big); 2,628,000 is one year of 12-second blocks.
    """
    rho = U64F64.from_decimal(RHO)
    ours = rho.pow(exponent)
    if exponent <= 7_200:
        exact_bits = int(Fraction(rho.bits, SCALE) ** exponent * SCALE)
    else:
        with localcontext() as context:
            context.prec = 80
            exact_bits = int((Decimal(rho.bits) / Decimal(SCALE)) ** exponent * SCALE)
    tolerance = (exponent + 2 * exponent.bit_length() + 2) * (ours.to_int() + 1)
    assert ours.bits <= exact_bits + 1
    assert exact_bits - ours.bits <= tolerance


def test_rho_year_growth_is_about_e_to_the_1_75() -> None:
    """A year of compounding at ρ grows V by e^(2,628,000·ln ρ) ≈ 5.77."""
    growth = U64F64.from_decimal(RHO).pow(2_628_000)
    assert growth.to_decimal(3) == "5.765"


@given(_values, _values)
def test_arithmetic_rounds_toward_zero(left: U64F64, right: U64F64) -> None:
    """Mul and div truncate the exact result; add and sub are exact or raise."""
    product = _exact(left) * _exact(right)
    if product < SCALE:
        assert (left * right).bits == int(product * SCALE)
    else:
        with pytest.raises(FixedPointError):
            _ = left * right
    if right.bits:
        quotient = _exact(left) / _exact(right)
        if quotient < SCALE:
            assert (left / right).bits == int(quotient * SCALE)
    total = left.bits + right.bits
    if total <= MAX_BITS:
        assert (left + right).bits == total
    else:
        assert left.saturating_add(right).bits == MAX_BITS
    if left >= right:
        assert (left - right).bits == left.bits - right.bits
    else:
        assert left.saturating_sub(right) == ZERO


def test_errors_are_typed() -> None:
    """Overflow, underflow, division by zero and bad decimals have their own codes."""
    cases = [
        (lambda: ZERO - ONE, FixedPointErrorCode.UNDERFLOW),
        (lambda: U64F64(MAX_BITS) + ONE, FixedPointErrorCode.OVERFLOW),
        (lambda: ONE / ZERO, FixedPointErrorCode.DIVISION_BY_ZERO),
        (lambda: U64F64.from_ratio(1, 0), FixedPointErrorCode.DIVISION_BY_ZERO),
        (lambda: U64F64.from_decimal("1e5"), FixedPointErrorCode.INVALID_DECIMAL),
        (lambda: U64F64.from_decimal("-1"), FixedPointErrorCode.INVALID_DECIMAL),
        (lambda: U64F64.from_int(2**64), FixedPointErrorCode.OVERFLOW),
        (lambda: U64F64.from_int(2**32).pow(2), FixedPointErrorCode.OVERFLOW),
    ]
    for operation, code in cases:
        with pytest.raises(FixedPointError) as caught:
            operation()
        assert caught.value.code is code


def test_integer_helpers_and_display() -> None:
    """from_ratio, mul_int, div_int, to_int and to_decimal behave as documented."""
    third = U64F64.from_ratio(1, 3)
    assert third.bits == SCALE // 3
    assert third.mul_int(3) < ONE
    assert U64F64.from_int(10).div_int(4).to_decimal(2) == "2.50"
    assert U64F64.from_decimal("187.8783").to_int() == 187
    assert str(ONE) == "1.000000000000000000"
