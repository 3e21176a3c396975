"""Amounts as Shopify writes them: ``Decimal`` in, strings out."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def cents(value: Decimal | int | str) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def decimal_string(value: Decimal) -> str:
    """The ``Decimal`` scalar: no trailing zeros but one decimal place ("5.0", "12.9", "10.25"),
    as the reference's example answers show it (docs/shopify-unknowns.md M1)."""
    text = format(Decimal(value).normalize(), "f")
    return text if "." in text else text + ".0"


def money_string(value: Decimal) -> str:
    """The ``Money`` scalar (a variant's price): two decimal places."""
    return format(cents(value), "f")


def money(value: Decimal, currency: str) -> dict:
    return {"amount": decimal_string(cents(value)), "currencyCode": currency}


def bag(value: Decimal, currency: str) -> dict:
    """A MoneyBag; the sandbox's customers pay in the shop's currency (presentment = shop)."""
    return {"shopMoney": money(value, currency), "presentmentMoney": money(value, currency)}


def tax_included(gross: Decimal, rate: Decimal) -> Decimal:
    """The tax inside a tax-inclusive amount, rounded to the cent."""
    return cents(gross * rate / (1 + rate))
