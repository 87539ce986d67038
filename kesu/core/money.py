"""Money is Decimal CNY with two places, never float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def parse_amount(value: object) -> Decimal:
    """A non-negative amount with at most two decimal places, or ValueError."""
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValueError("not a number") from exc
    if not amount.is_finite():
        raise ValueError("not a number")
    if amount < 0:
        raise ValueError("negative")
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise ValueError("more than two decimal places")
    if amount >= Decimal("10000000000"):
        raise ValueError("too large")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)
