"""Share arithmetic exactly as Phala's pools round it (``balance_convert`` + ``base_pool``).

Balances (u128 planck) meet share prices (U64F64) through Phala's conversion: a balance
becomes fixed point in PHA with 48 fraction bits (``U80F48(b) / 10¹²``, truncated), and a fixed
value becomes planck by dropping to 48 fraction bits, multiplying by 10¹² and truncating. Price
and share computations then use U64F64's truncating ``*`` and ``/``. Every function here
rounds down, so a pool never pays out more than it holds; the remainders stay in the pool.
"""

from __future__ import annotations

from khala.primitives.fixed_point import U64F64
from khala.primitives.units import fixed_to_planck, planck_to_fixed

DUST = 1_000
"""Balances and share counts at or below 1,000 planck (1e-9 PHA) are dust (Phala's
``balance_close_to_zero``): a pool never keeps a dust request or a dust position."""
PER_MILLION = 1_000_000
"""Commission is in parts per million (Substrate's ``Permill``)."""


def bmul(amount: int, factor: U64F64) -> int:
    """``amount · factor`` in planck (Phala's ``balance_convert::mul``)."""
    return fixed_to_planck(planck_to_fixed(amount) * factor)


def bdiv(amount: int, divisor: U64F64) -> int:
    """``amount / divisor`` in planck (Phala's ``balance_convert::div``)."""
    return fixed_to_planck(planck_to_fixed(amount) / divisor)


def share_price(total_value: int, total_shares: int) -> U64F64 | None:
    """PHA per share, or None for a pool without shares (contributions then mint 1:1)."""
    if total_shares == 0:
        return None
    shares = planck_to_fixed(total_shares)
    if shares.bits == 0:
        return None
    return planck_to_fixed(total_value) / shares


def is_dust(amount: int) -> bool:
    """Whether ``amount`` is close enough to zero to be dropped."""
    return amount <= DUST


def permill_of(ppm: int, amount: int) -> int:
    """``ppm``/10⁶ of ``amount``, rounded to the nearest unit, ties down (``Permill * n``)."""
    whole, remainder = divmod(amount * ppm, PER_MILLION)
    return whole + (1 if remainder * 2 > PER_MILLION else 0)
