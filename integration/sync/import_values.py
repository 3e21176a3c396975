"""The values a shop product would give its eAccounting article on the first sync, and why not.

Pure: no I/O. ``check_product`` reads one shop product (or variation) and says either what
the article should hold (``Wanted``) or, in plain words, every reason it cannot be imported.
Limits are ``ArticleApi``'s in sandbox/contracts/eaccounting/openapi-v2.json: Number ≤ 40 characters,
Name ≤ 50, NetPrice and GrossPrice 0 … 99,000,000 with two decimals.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from integration.webshops.base import ShopProduct

from . import import_reasons as reasons

NUMBER_MAX = 40
NAME_MAX = 50
PRICE_MAX = Decimal("99000000")
CENT = Decimal("0.01")
ZERO = Decimal("0")
GOODS, SERVICE = "goods", "service"
GROSS, NET = "GrossPrice", "NetPrice"
UNTAXED = ("none", "shipping")  # WooCommerce tax_status values under which the product itself is not taxed


@dataclass(frozen=True)
class Template:
    """An article template without the ORM: what a new article takes for its kind and VAT rate."""

    kind: str  # goods / service
    vat_rate: Decimal
    coding_id: str
    unit_id: str
    is_stock: bool


@dataclass(frozen=True)
class ImportContext:
    """What besides the product decides its article, read once for the whole import.

    ``vat_rate_by_tax_class``: the shop's tax class → VAT %, "" for the standard class.
    ``templates``: (kind, VAT %) → Template. ``vat_rate_by_coding``: eAccounting coding id → VAT %.
    ``excluded_article_ids``: template articles (shipping and payment fee rows), never written.
    ``product_rates_known``: False where the shop tells no product's VAT rate (Shopify taxes by region,
    with overrides in its admin): every product then has the standard class's rate, which the preview says,
    unless the shop's own orders charged it another: ``vat_rate_by_sku`` (by ``sku_key``), the rate its
    latest paid order line was charged, and ``earlier_rates_by_sku``, the other rates seen for the SKUs
    charged at more than one (rates_from_orders).
    """

    prices_include_tax: bool
    vat_rate_by_tax_class: Mapping[str, Decimal] = field(default_factory=dict)
    templates: Mapping[tuple[str, Decimal], Template] = field(default_factory=dict)
    vat_rate_by_coding: Mapping[str, Decimal] = field(default_factory=dict)
    excluded_article_ids: frozenset[str] = frozenset()
    product_rates_known: bool = True
    vat_rate_by_sku: Mapping[str, Decimal] = field(default_factory=dict)
    earlier_rates_by_sku: Mapping[str, tuple[Decimal, ...]] = field(default_factory=dict)

    def rate_from_orders(self, product: ShopProduct) -> Decimal | None:
        """The rate the shop's orders charged the product, where the shop tells no product's rate."""
        if self.product_rates_known:
            return None
        return self.vat_rate_by_sku.get(sku_key(product.sku))


@dataclass(frozen=True)
class Wanted:
    """What the shop says the article should be. ``price`` is the shop's own price: gross
    (``price_field`` GrossPrice) when the shop's prices include tax, else net."""

    number: str
    name: str
    price: Decimal
    price_field: str
    vat_rate: Decimal
    kind: str

    def prices(self) -> dict[str, Decimal]:
        """Both eAccounting prices: the shop's, and the other one derived from the VAT rate."""
        other = NET if self.price_field == GROSS else GROSS
        return {self.price_field: self.price, other: derive(self.price, self.price_field, self.vat_rate)}


def derive(price: Decimal, price_field: str, vat_rate: Decimal) -> Decimal:
    """The other price of ``price`` (2 decimals, half up): net from gross or gross from net."""
    factor = 1 + Decimal(vat_rate) / 100
    other = price / factor if price_field == GROSS else price * factor
    return other.quantize(CENT, rounding=ROUND_HALF_UP)


def percent(rate: Decimal) -> str:
    """``Decimal("24.00")`` → ``"24"``, ``Decimal("25.5")`` → ``"25.5"``."""
    return format(Decimal(rate).normalize(), "f")


def sku_key(sku: str) -> str:
    """How SKUs are told apart: without surrounding spaces and letter case (WooCommerce's SKU
    uniqueness check ignores case, so "ab-1" and "AB-1" are one SKU to the shop)."""
    return (sku or "").strip().casefold()


def kind_of(product: ShopProduct) -> str:
    """Goods, unless the shop marks the product virtual or downloadable: then a service."""
    raw = product.raw or {}
    return SERVICE if raw.get("virtual") or raw.get("downloadable") else GOODS


def vat_rate_of(
    product: ShopProduct, ctx: ImportContext, parent_rate: Decimal | None = None
) -> Decimal | str:
    """The product's VAT % through its tax class, or the reason there is none.

    A product whose tax status is none (or shipping only) is not taxed itself: 0 %. A variation
    whose tax class is "parent" takes ``parent_rate``. Where the shop tells no product's rate, the rate
    its orders charged the SKU comes before the (only) tax class's.
    """
    if product.tax_status in UNTAXED:
        return ZERO
    learned = ctx.rate_from_orders(product)
    if learned is not None:
        return Decimal(learned)
    tax_class = "" if product.tax_class == "standard" else product.tax_class
    if tax_class == "parent":
        return parent_rate if parent_rate is not None else reasons.PARENT_TAX_CLASS
    rate = ctx.vat_rate_by_tax_class.get(tax_class)
    if rate is None:
        return reasons.NO_VAT_RATE % {"tax_class": tax_class or "standard"}
    return Decimal(rate)


def check_product(
    product: ShopProduct, ctx: ImportContext, parent_rate: Decimal | None = None
) -> tuple[Wanted | None, list[str]]:
    """``(Wanted, [])`` when the product can be imported, else ``(None, reasons)``: all of them, so
    that one round of fixes in the shop is enough. Names are kept exactly as the shop has them
    (non-Latin letters, ``&``, ``<`` …), only surrounding spaces are dropped."""
    problems: list[str] = []
    number, name = (product.sku or "").strip(), (product.name or "").strip()
    if not number:
        problems.append(reasons.NO_SKU)
    elif len(number) > NUMBER_MAX:
        problems.append(reasons.SKU_TOO_LONG % {"max": NUMBER_MAX, "length": len(number)})
    if not name:
        problems.append(reasons.NO_NAME)
    elif len(name) > NAME_MAX:
        problems.append(reasons.NAME_TOO_LONG % {"max": NAME_MAX, "length": len(name)})
    rate = vat_rate_of(product, ctx, parent_rate)
    if isinstance(rate, str):
        problems.append(rate)
    price, price_field = product.regular_price, GROSS if ctx.prices_include_tax else NET
    if price is None:
        problems.append(reasons.NO_PRICE)
    elif price < 0:
        problems.append(reasons.NEGATIVE_PRICE % {"price": price})
    elif price != price.quantize(CENT):
        problems.append(reasons.PRICE_DECIMALS % {"price": price})
    elif isinstance(rate, Decimal) and max(price, derive(price, price_field, rate)) > PRICE_MAX:
        problems.append(reasons.PRICE_TOO_HIGH)
    if problems or price is None or not isinstance(rate, Decimal):  # each of the last two is a problem above
        return None, problems
    wanted = Wanted(
        number=number,
        name=name,
        price=price.quantize(CENT),
        price_field=price_field,
        vat_rate=rate,
        kind=kind_of(product),
    )
    return wanted, []


# ---------------------------------------------------------------------- raw article bodies
def wire(value: Any) -> Any:
    """A value as it goes into a JSON body: Decimal money becomes a JSON number (``requests``
    cannot encode Decimal); the value is already rounded to cents, so nothing is lost."""
    return float(value) if isinstance(value, Decimal) else value


def raw_get(raw: Mapping[str, Any], name: str) -> Any:
    """A field of a raw article, whatever the case of its key (Visma once served camelCase)."""
    if name in raw:
        return raw[name]
    return next((v for k, v in raw.items() if k.lower() == name.lower()), None)


def with_values(raw: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``raw`` with ``values`` set (existing keys keep their case): a PUT body, since
    PUT is a full replace."""
    out = dict(raw)
    keys = {k.lower(): k for k in out}
    for name, value in values.items():
        out[keys.get(name.lower(), name)] = wire(value)
    return out
