"""The `money` template filter: an amount in the user's locale with its currency; a Decimal is never a float."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

NBSP = "\N{NO-BREAK SPACE}"


def shown(value, currency, lang):
    with translation.override(lang):
        return Template("{% load money %}{{ value|money:currency }}").render(
            Context({"value": value, "currency": currency})
        )


@pytest.mark.parametrize(
    "lang, expected",
    [("en", f"1,234.50{NBSP}€"), ("fi", f"1{NBSP}234,50{NBSP}€"), ("sv", f"1{NBSP}234,50{NBSP}€")],
)
def test_an_amount_in_each_language(lang, expected):
    assert shown(Decimal("1234.5"), "EUR", lang) == expected


def test_cents_are_not_lost_to_floats_and_other_currencies_keep_their_code():
    assert shown(Decimal("0.1") + Decimal("0.2"), "eur", "fi") == f"0,30{NBSP}€"
    assert shown(Decimal("12.345"), "CHF", "en") == f"12.35{NBSP}CHF"  # Decimal rounding, half up
    assert shown(None, "EUR", "fi") == ""
