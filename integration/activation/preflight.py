"""The pre-flight check before *Activate integration?*: pure, from what both systems said.

It lists in plain words what blocks activation and what is only worth a look, and
derives the defaults activation saves (VAT rate ⇄ tax class, article templates), so
*Yes* needs no other settings.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from ..eaccounting.resources import ArticleAccountCoding, CompanySettings, Unit
from ..webshops.base import PaymentGateway, ShippingMethod, ShopInfo, TaxRate
from . import shop_taxes

PREFERRED_UNIT_CODES = ("KPL", "PCS", "ST", "STK")  # "piece" in Finnish, English, Swedish


@dataclass(frozen=True)
class PreflightInput:
    company: CompanySettings
    units: list[Unit]
    codings: list[ArticleAccountCoding]
    shop: ShopInfo
    tax_rates: list[TaxRate]
    shipping_methods: list[ShippingMethod] = field(default_factory=list)
    gateways: list[PaymentGateway] = field(default_factory=list)
    stock_module_names: list[str] = field(default_factory=lambda: ["Stock"])  # the contract's finding


@dataclass(frozen=True)
class TemplateDefault:
    kind: str  # "goods" or "service", as ArticleTemplate.Kind
    vat_rate: Decimal
    coding_id: str
    coding_name: str
    unit_id: str
    unit_name: str
    is_stock: bool


@dataclass
class Preflight:
    blockers: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tax_classes: dict[Decimal, str] = field(default_factory=dict)  # VAT rate → shop tax class
    templates: list[TemplateDefault] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.blockers


def is_service(coding: ArticleAccountCoding) -> bool:
    """eAccounting's coding Type is a free string in the spec; "Service…" marks services."""
    return coding.type.strip().lower().startswith("service")


def _rate(value) -> Decimal:
    return Decimal(value).normalize() + Decimal("0.00")  # 25.5 and 25.50 are one rate


def _default_unit(units: list[Unit]) -> Unit | None:
    by_code = {u.code.upper(): u for u in units}
    for code in PREFERRED_UNIT_CODES:
        if code in by_code:
            return by_code[code]
    return units[0] if units else None


def _shop_rates(inp: PreflightInput) -> dict[Decimal, str]:
    """VAT rate → tax class, from the shop's rates for the company's country (standard class first)."""
    country = inp.company.country_code.upper()
    mapping: dict[Decimal, str] = {}
    for rate in sorted(inp.tax_rates, key=lambda r: r.tax_class != "standard"):
        if rate.country and country and rate.country.upper() != country:
            continue
        tax_class = "" if rate.tax_class == "standard" else rate.tax_class
        mapping.setdefault(_rate(rate.rate), tax_class)
    return mapping


def check(inp: PreflightInput) -> Preflight:
    result = Preflight()
    company, shop = inp.company, inp.shop
    if company.currency_code and shop.currency and company.currency_code.upper() != shop.currency.upper():
        result.blockers.append(
            _(
                "The shop sells in %(shop_currency)s but %(company)s keeps its books in %(currency)s: prices would "
                "be wrong, so Silta will not sync them. Change the shop's currency first."
            )
            % {"shop_currency": shop.currency, "company": company.name, "currency": company.currency_code}
        )
    unit = _default_unit(inp.units)
    if unit is None:
        result.blockers.append(_("eAccounting has no units. Add one (e.g. “kpl”) in eAccounting's settings."))

    codings = [c for c in inp.codings if c.is_active]
    goods = {_rate(c.vat_rate_percent): c for c in codings if not is_service(c)}
    services = {_rate(c.vat_rate_percent): c for c in codings if is_service(c)}
    shop_rates = _shop_rates(inp)
    tax_setup = shop.tax_setup  # a shop taxing by region (Shopify): no rate list to read
    if tax_setup is not None:
        result.notes.append(shop_taxes.explain(shop, tax_setup))
        result.blockers.extend(shop_taxes.blockers(company, tax_setup, set(goods)))
    for rate, tax_class in sorted(shop_rates.items(), reverse=True):
        if rate in goods:
            continue
        if tax_setup is not None:
            result.blockers.append(
                _(
                    "Orders from a shop in Finland carry %(rate)s %% VAT but eAccounting has no sales coding for "
                    "%(rate)s %%: products at that rate could not be created in eAccounting. Add one in "
                    "eAccounting's settings."
                )
                % {"rate": rate}
            )
        else:
            result.blockers.append(
                _(
                    "The shop charges %(rate)s %% VAT (%(tax_class)s tax class) but eAccounting has no sales coding "
                    "for %(rate)s %%: products at that rate could not be created in eAccounting."
                )
                % {"rate": rate, "tax_class": tax_class or _("standard")}
            )
    for rate in sorted(set(goods) - set(shop_rates), reverse=True):
        result.notes.append(
            _(
                "eAccounting has a coding for %(rate)s %% VAT but the shop has no tax rate of %(rate)s %%: "
                "articles with that coding will wait until the shop has one."
            )
            % {"rate": rate}
        )
    result.tax_classes = {rate: shop_rates[rate] for rate in shop_rates if rate in goods}

    stock_names = {str(n).lower() for n in inp.stock_module_names}
    stock_module = any(str(m).lower() in stock_names for m in company.activated_modules)
    if not stock_module:
        result.notes.append(
            _("eAccounting's stock module is not active: stock levels will not be sent to the shop.")
        )
    if not shop.taxes_enabled:
        result.notes.append(
            _("The shop does not calculate taxes; VAT rates are still mapped for when it does.")
        )
    if company.visma_webshop_status == 1:
        result.notes.append(
            _(
                "Visma's own webshop link (Visma Verkkokauppa) is enabled for this company as well: articles "
                "“Available in Webshop” also go there."
            )
        )
    if inp.shipping_methods or inp.gateways:
        result.notes.append(
            _(
                "The shop has %(delivery)s delivery methods and %(payment)s payment methods; each needs an article "
                "template before its orders can be transferred."
            )
            % {"delivery": len(inp.shipping_methods), "payment": len(inp.gateways)}
        )
    if unit is not None:
        for kind, by_rate in (("goods", goods), ("service", services)):
            for rate, coding in sorted(by_rate.items(), reverse=True):
                result.templates.append(
                    TemplateDefault(
                        kind=kind,
                        vat_rate=rate,
                        coding_id=coding.id,
                        coding_name=coding.name,
                        unit_id=unit.id,
                        unit_name=unit.name,
                        is_stock=kind == "goods" and stock_module,
                    )
                )
    return result
