"""The pre-flight's words on a shop that lists no tax rates (Shopify): pure, from ``ShopTaxSetup``.

Shopify charges tax by region, set in its admin, and shows apps no rate list (docs/shopify-unknowns.md
T2): what its API does say — the store's country, whether prices include tax, whether shipping is
taxed — is explained in plain words, and what would book orders wrongly blocks with the fix in the
words of Shopify's admin.
"""

from decimal import Decimal

from django.utils.translation import gettext as _

from ..eaccounting.resources import CompanySettings
from ..webshops.base import ShopInfo, ShopTaxSetup


def country_name(code: str) -> str:
    """A country in words for the countries Silta's owners meet; the code itself otherwise."""
    names = {
        "FI": _("Finland"),
        "SE": _("Sweden"),
        "DK": _("Denmark"),
        "NO": _("Norway"),
        "DE": _("Germany"),
        "EE": _("Estonia"),
        "US": _("the United States"),
    }
    return names.get(code.upper(), code.upper())


def explain(shop: ShopInfo, tax: ShopTaxSetup) -> str:
    """The shop's tax set-up in a few sentences."""
    sentences = []
    if tax.country:
        sentences.append(
            _("The store's address is in %(country)s and it sells in %(currency)s.")
            % {"country": country_name(tax.country), "currency": shop.currency}
        )
    sentences.append(
        _("Prices in the shop include VAT.")
        if shop.prices_include_tax
        else _("Prices in the shop do not include VAT: it is added at checkout.")
    )
    sentences.append(_("Shipping is taxed.") if tax.shipping_taxed else _("Shipping is not taxed."))
    sentences.append(
        _(
            "Shopify does not show its tax rates to apps: Silta books each order at the VAT rates on the "
            "order's own tax lines."
        )
    )
    return " ".join(sentences)


def blockers(company: CompanySettings, tax: ShopTaxSetup, vat_rates: set[Decimal]) -> list[str]:
    """What would book the shop's orders wrongly, each with its fix. ``vat_rates``: the company's goods
    codings' rates (a company charging VAT has one above 0 %)."""
    found = []
    home = company.country_code.upper()
    if tax.country and home and tax.country.upper() != home:
        found.append(
            _(
                "The store's address in Shopify is in %(shop_country)s but %(company)s is in %(country)s: "
                "Shopify charges the taxes of the store's country, which %(company)s's VAT codings cannot "
                "book. In Shopify's admin, open Settings → General and correct the store's address, then "
                "check the rates under Settings → Taxes and duties."
            )
            % {
                "shop_country": country_name(tax.country),
                "company": company.name,
                "country": country_name(home),
            }
        )
    if home == "FI" and not tax.shipping_taxed and any(r > 0 for r in vat_rates):
        found.append(
            _(
                "Shopify does not tax shipping, but in Finland shipping sold with goods carries the goods' "
                "VAT: the shop's receipts, and the sales Silta books from them, would show too little VAT. In "
                "Shopify's admin, open Settings → Taxes and duties and turn on “Charge tax on shipping rates”."
            )
        )
    return found
