"""`{{ total|money:currency }}`: an amount in the user's locale, e.g. 12.50 € in English, 12,50 € in Finnish."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format

register = template.Library()

SYMBOLS = {"EUR": "€", "SEK": "kr", "NOK": "kr", "DKK": "kr", "USD": "$", "GBP": "£"}


@register.filter
def money(value, currency="EUR"):
    """Two decimals with the locale's separators (a Decimal stays a Decimal; never a float), then the currency.
    Nothing for no amount."""
    if value is None or value == "":
        return ""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return value
    cents = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)  # number_format would cut, not round
    shown = number_format(cents, 2, use_l10n=True, force_grouping=True)
    code = (currency or "").upper()
    return f"{shown}\N{NO-BREAK SPACE}{SYMBOLS.get(code, code)}".strip()
