"""An amount as a shop writes it: a string, sometimes a JSON number (never a float's binary error)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any


def amount(value: Any) -> Decimal:
    """``"12.40"``, ``12.4`` or ``12`` → Decimal; anything else (a bool, "", words) → ValueError."""
    if isinstance(value, bool):
        raise ValueError(f"not an amount: {value!r}")
    if isinstance(value, float):
        value = repr(value)
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"not an amount: {value!r}") from None
