"""The pre-flight on a shop that lists no tax rates (Shopify): its tax set-up in words, and what blocks
activation with the fix. Pure cases, then the Shopify sandbox's own settings through ``gather``."""

from decimal import Decimal

import pytest
from django.utils import translation

from integration.activation.fetch import gather
from integration.activation.preflight import check
from integration.webshops.base import ShopInfo, ShopTaxSetup, TaxRate
from integration.webshops.shopify.parse import rate_id, rate_percent
from integration.webshops.shopify.reader import FINNISH_RATES

from ..fixtures.first_sync_shops import connect_shop
from ..fixtures.preflight_inputs import CODINGS, coding, inputs

SHIPPING = "turn on “Charge tax on shipping rates”"
ADDRESS = "open Settings → General and correct the store's address"
CURRENCY = "The shop sells in"
SHOPIFY_RATES = [
    TaxRate(id=rate_id(r), rate=rate_percent(rate_id(r)), name="ALV", tax_class="", country="FI")
    for r in FINNISH_RATES
]


def shopify(country="FI", shipping_taxed=True, included=True, currency="EUR"):
    return ShopInfo(
        currency=currency,
        taxes_enabled=True,
        prices_include_tax=included,
        product_count=0,
        tax_setup=ShopTaxSetup(country=country, shipping_taxed=shipping_taxed),
    )


@pytest.mark.parametrize(
    "shop, blocked_by, said",
    [
        (
            shopify(),
            [],
            ["in Finland and it sells in EUR", "Prices in the shop include VAT.", "Shipping is taxed."],
        ),
        (shopify(included=False), [], ["Prices in the shop do not include VAT", "Shipping is taxed."]),
        (shopify(shipping_taxed=False), [SHIPPING], ["Shipping is not taxed."]),
        (shopify(country="SE"), [ADDRESS], ["in Sweden and it sells in EUR"]),
        (shopify(country=""), [], ["Prices in the shop include VAT."]),  # no address: nothing to compare
        (shopify(currency="SEK"), [CURRENCY], ["it sells in SEK"]),
    ],
    ids=[
        "finnish",
        "prices-without-vat",
        "shipping-untaxed",
        "swedish-address",
        "no-address",
        "other-currency",
    ],
)
def test_the_shops_tax_set_up_is_explained_and_what_cannot_be_booked_blocks(shop, blocked_by, said):
    result = check(inputs(shop=shop, tax_rates=SHOPIFY_RATES))
    assert [next(b for b in blocked_by if b in text) for text in result.blockers] == blocked_by
    explained = next(n for n in result.notes if "Shopify does not show its tax rates to apps" in n)
    for words in said:
        assert words in explained
    assert result.tax_classes == {Decimal(r): "" for r in ("25.50", "14.00", "10.00", "0.00")}


def test_untaxed_shipping_does_not_block_a_company_that_charges_no_vat():
    zero = [coding("Tavaramyynti 0 %", "Goods", "0")]
    rates = [r for r in SHOPIFY_RATES if r.rate == 0]
    assert check(inputs(shop=shopify(shipping_taxed=False), codings=zero, tax_rates=rates)).ok


def test_a_finnish_rate_without_a_coding_blocks_in_words_true_for_shopify():
    result = check(
        inputs(shop=shopify(), codings=[c for c in CODINGS if c.vat_rate != "10"], tax_rates=SHOPIFY_RATES)
    )
    assert result.blockers == [
        "Orders from a shop in Finland carry 10.00 % VAT but eAccounting has no sales coding for 10.00 %: "
        "products at that rate could not be created in eAccounting. Add one in eAccounting's settings."
    ]


@pytest.mark.parametrize(
    "language, words", [("fi", "Toimituskuluista peritään arvonlisävero."), ("sv", "Moms tas ut på frakten.")]
)
def test_the_explanation_and_the_fixes_read_in_finnish_and_swedish(language, words):
    with translation.override(language):
        result = check(inputs(shop=shopify(country="SE", shipping_taxed=False), tax_rates=SHOPIFY_RATES))
        taxed = check(inputs(shop=shopify(), tax_rates=SHOPIFY_RATES))
    texts = result.blockers + result.notes
    assert not any("Shopify's admin" in t or "does not show its tax rates" in t for t in texts)
    assert len(result.blockers) == 2 and all("Shopify" in b for b in result.blockers)
    assert any(words in n for n in taxed.notes)


# --- through the Shopify sandbox: its settings are the shop's tax set-up -----------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "settings_, blocked_by",
    [
        ({}, []),
        ({"taxes_included": False}, []),
        ({"tax_shipping": False}, [SHIPPING]),
        ({"country": "SE"}, [ADDRESS]),
        ({"currency": "SEK"}, [CURRENCY]),
    ],
    ids=["default", "prices-without-vat", "shipping-untaxed", "swedish-address", "other-currency"],
)
def test_the_sandboxs_tax_settings_reach_the_pre_flight(settings_, blocked_by, ea, wc, shopify_server):
    shop = connect_shop(
        "shopify", ea, wc, shopify_server, "taxes", seed={"products": 0, "orders": 0}, **settings_
    )
    inp = gather(shop.tenant)
    assert inp.shop.tax_setup == ShopTaxSetup(
        country=settings_.get("country", "FI"), shipping_taxed=settings_.get("tax_shipping", True)
    )
    assert inp.shop.prices_include_tax is settings_.get("taxes_included", True)
    result = check(inp)
    assert [next(b for b in blocked_by if b in text) for text in result.blockers] == blocked_by
