"""U64F64 unsigned fixed point in plain integers, for consensus money math (never floats).

A value ``x`` is stored as ``bits = floor(x * 2**64)`` in ``0 <= bits < 2**128``: 64 integer
bits and 64 fraction bits, the layout of Rust's ``fixed::types::U64F64`` that Phala's
tokenomics uses. Every operation rounds **toward zero** (truncates) unless its docstring says
otherwise, so results are exactly reproducible on every machine.

Checked operations (``+ - * /`` and the named methods) raise :class:`FixedPointError` on
overflow, underflow or division by zero; ``saturating_*`` methods clamp to the range instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from khala.errors import KhalaError
from khala.primitives.scale import U128

FRACTION_BITS = 64
"""Bits after the binary point."""
ONE_BITS = 1 << FRACTION_BITS
"""The representation of 1.0."""
MAX_BITS = (1 << 128) - 1
"""The largest representable value, just under 2**64."""


class FixedPointErrorCode(StrEnum):
    """Codes of :class:`FixedPointError`."""

    OVERFLOW = "fixed_point.overflow"
    """The result is 2**64 or more."""
    UNDERFLOW = "fixed_point.underflow"
    """The result is negative."""
    DIVISION_BY_ZERO = "fixed_point.division_by_zero"
    """A division or ratio with a zero denominator."""
    INVALID_DECIMAL = "fixed_point.invalid_decimal"
    """A decimal string is not of the form ``123`` or ``123.456``."""


class FixedPointError(KhalaError):
    """A fixed-point operation left the representable range or had bad input."""


def _checked(bits: int) -> U64F64:
    if bits > MAX_BITS:
        raise FixedPointError(FixedPointErrorCode.OVERFLOW, "U64F64 result is 2**64 or more")
    if bits < 0:
        raise FixedPointError(FixedPointErrorCode.UNDERFLOW, "U64F64 result is negative")
    return U64F64(bits)


@dataclass(frozen=True, slots=True, order=True)
class U64F64:
    """An unsigned fixed-point number with 64 integer and 64 fraction bits."""

    bits: U128
    """``floor(value * 2**64)``; always in ``0..2**128-1``. SCALE-encodes as a ``u128``, as
    Phala stores its fixed-point parameters."""

    def __post_init__(self) -> None:
        """Reject representations outside the 128-bit range."""
        if not 0 <= self.bits <= MAX_BITS:
            raise FixedPointError(
                FixedPointErrorCode.OVERFLOW if self.bits > 0 else FixedPointErrorCode.UNDERFLOW,
                f"bits {self.bits} outside 0..2**128-1",
            )

    @classmethod
    def from_int(cls, value: int) -> U64F64:
        """Return ``value`` exactly; it must be in ``0..2**64-1``."""
        return _checked(value << FRACTION_BITS)

    @classmethod
    def from_ratio(cls, numerator: int, denominator: int) -> U64F64:
        """Return ``numerator / denominator`` rounded toward zero."""
        if denominator == 0:
            raise FixedPointError(FixedPointErrorCode.DIVISION_BY_ZERO, "ratio with denominator 0")
        if (numerator < 0) != (denominator < 0) and numerator != 0:
            raise FixedPointError(FixedPointErrorCode.UNDERFLOW, "negative ratio")
        return _checked((abs(numerator) << FRACTION_BITS) // abs(denominator))

    @classmethod
    def from_decimal(cls, text: str) -> U64F64:
        """Parse a non-negative decimal like ``"1.000000666600231"``, rounding to nearest.

        Ties go to the even neighbour, as Rust's ``fixed`` crate parses literals (Phala's
        ``fp!(0.8)``): parameters written as decimals get the very bits Phala's get. The
        conversion is exact integer arithmetic on ``digits * 2**64 / 10**scale``.
        """
        whole, _, fraction = text.strip().partition(".")
        if not (whole.isdigit() and (fraction.isdigit() or fraction == "")) or not whole.isascii():
            raise FixedPointError(
                FixedPointErrorCode.INVALID_DECIMAL, f"{text!r} is not a decimal like 1.25"
            )
        denominator = 10 ** len(fraction)
        quotient, remainder = divmod(int(whole + fraction) << FRACTION_BITS, denominator)
        if 2 * remainder > denominator or (2 * remainder == denominator and quotient % 2):
            quotient += 1
        return _checked(quotient)

    def to_int(self) -> int:
        """Return the integer part (rounding toward zero)."""
        return self.bits >> FRACTION_BITS

    def to_decimal(self, digits: int = 18) -> str:
        """Format with ``digits`` decimals, truncated (for display, never for consensus)."""
        scaled = (self.bits * 10**digits) >> FRACTION_BITS
        whole, fraction = divmod(scaled, 10**digits)
        return f"{whole}.{fraction:0{digits}d}" if digits else str(whole)

    def to_display(self, digits: int = 6) -> str:
        """Format rounded half-up to at most ``digits`` decimals, without trailing zeros.

        For people (0.2, not 0.199999 from the nearest U64F64); never for consensus.
        """
        scaled = (self.bits * 10**digits + (1 << (FRACTION_BITS - 1))) >> FRACTION_BITS
        whole, fraction = divmod(scaled, 10**digits)
        text = f"{whole}.{fraction:0{digits}d}".rstrip("0").rstrip(".") if digits else str(whole)
        return text

    def __str__(self) -> str:
        """Show the value with 18 truncated decimals."""
        return self.to_decimal()

    def __add__(self, other: U64F64) -> U64F64:
        """Exact sum; raises on overflow."""
        return _checked(self.bits + other.bits)

    def __sub__(self, other: U64F64) -> U64F64:
        """Exact difference; raises on underflow."""
        return _checked(self.bits - other.bits)

    def __mul__(self, other: U64F64) -> U64F64:
        """Product rounded toward zero; raises on overflow."""
        return _checked((self.bits * other.bits) >> FRACTION_BITS)

    def __truediv__(self, other: U64F64) -> U64F64:
        """Quotient rounded toward zero; raises on overflow or division by zero."""
        if other.bits == 0:
            raise FixedPointError(FixedPointErrorCode.DIVISION_BY_ZERO, "division by zero")
        return _checked((self.bits << FRACTION_BITS) // other.bits)

    def mul_int(self, factor: int) -> U64F64:
        """Exact product with a non-negative integer; raises on overflow."""
        return _checked(self.bits * factor)

    def div_int(self, divisor: int) -> U64F64:
        """Quotient by a positive integer, rounded toward zero."""
        if divisor <= 0:
            raise FixedPointError(
                FixedPointErrorCode.DIVISION_BY_ZERO, f"divisor must be positive, got {divisor}"
            )
        return U64F64(self.bits // divisor)

    def saturating_add(self, other: U64F64) -> U64F64:
        """Sum clamped to the maximum."""
        return U64F64(min(self.bits + other.bits, MAX_BITS))

    def saturating_sub(self, other: U64F64) -> U64F64:
        """Difference clamped at zero."""
        return U64F64(max(self.bits - other.bits, 0))

    def saturating_mul(self, other: U64F64) -> U64F64:
        """Product rounded toward zero, clamped to the maximum."""
        return U64F64(min((self.bits * other.bits) >> FRACTION_BITS, MAX_BITS))

    def sqrt(self) -> U64F64:
        """Square root rounded toward zero: the largest ``r`` with ``r*r <= self`` exactly."""
        return U64F64(math.isqrt(self.bits << FRACTION_BITS))

    def sqrt32(self) -> U64F64:
        """Square root keeping 32 fraction bits (rounded toward zero), as Phala computes it.

        ``isqrt(bits)`` is ``√x·2^32``: the precision of the ``fixed`` crate's square root that
        Phala's ``S_min`` uses, so khala uses it where that number is decided.
        """
        return U64F64(math.isqrt(self.bits) << (FRACTION_BITS // 2))

    def pow(self, exponent: int) -> U64F64:
        """Raise to a non-negative integer power by square-and-multiply.

        Each intermediate product is rounded toward zero, so the result never exceeds the exact
        power (of the already-rounded base). Squaring doubles the relative error carried in, so
        for a base of at least 1 the shortfall is at most about
        ``(exponent + 2 * log2(exponent)) * 2**-64`` relative, i.e. roughly ``exponent`` units in
        the last place per unit of the result (ρ^2,628,000 ≈ 5.77 is short by ~1.2e-13).
        Raises on overflow.
        """
        if exponent < 0:
            raise FixedPointError(
                FixedPointErrorCode.UNDERFLOW, "negative exponents are not supported"
            )
        result = ONE_BITS
        base = self.bits
        while exponent:
            if exponent & 1:
                result = (result * base) >> FRACTION_BITS
                if result > MAX_BITS:
                    raise FixedPointError(FixedPointErrorCode.OVERFLOW, "power overflows U64F64")
            exponent >>= 1
            if exponent:
                base = (base * base) >> FRACTION_BITS
                if base > MAX_BITS:
                    raise FixedPointError(FixedPointErrorCode.OVERFLOW, "power overflows U64F64")
        return U64F64(result)


ZERO = U64F64(0)
"""0.0."""
ONE = U64F64(ONE_BITS)
"""1.0."""
