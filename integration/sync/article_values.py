"""The owned values an article should have in the shop, and how to compare them.

Pure: no I/O. ``desired_values`` turns an eAccounting article into the JSON-able values
the sync writes (and remembers in the link's ``last_written``), so that the planner, the
link record and the drift report all speak the same form: prices as 2-decimal strings,
stock as a whole number, the tax class as a shop slug ("" for the standard class).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from integration.eaccounting.resources import Article
from integration.webshops.base import ShopProduct

UNIT_META_KEY = "_silta_unit"  # WooCommerce has no unit field: the unit lives in product meta
CENT = Decimal("0.01")
ZERO = Decimal("0")


class PlanError(Exception):
    """Something a person must fix before the article can be written (said in plain words)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class CatalogContext:
    """Everything besides the article itself that decides its shop values, read once per run."""

    prices_include_tax: bool
    tax_class_by_rate: Mapping[Decimal, str] = field(default_factory=dict)
    vat_rate_by_coding: Mapping[str, Decimal] = field(default_factory=dict)
    unit_code_by_id: Mapping[str, str] = field(default_factory=dict)
    pending_by_sku: Mapping[str, Decimal] = field(default_factory=dict)
    excluded_article_ids: frozenset[str] = frozenset()
    # the shop keeps the unit (Webshop.keeps_unit): otherwise it is neither written nor compared
    keeps_unit: bool = True
    # SKU -> what the shop's orders since Silta's last write sold (stock_drift.Sold), read only when asked
    sales_since_write: Mapping[str, Any] = field(default_factory=dict)


def format_price(value: Decimal) -> str:
    """``Decimal("12.5")`` → ``"12.50"``: the one form prices are written and remembered in."""
    rounded = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    return format(rounded if rounded else abs(rounded), "f")  # never "-0.00"


def shop_stock(available: Decimal, pending: Decimal) -> int:
    """eAccounting's available stock minus shop orders it does not know yet, so nothing is oversold:
    rounded down to whole units (a shop sells whole units), never below zero."""
    whole = (Decimal(available) - Decimal(pending)).to_integral_value(rounding=ROUND_FLOOR)
    return max(int(whole), 0)


STOCK_FIELDS = ("manage_stock", "stock_quantity")


def stock_entered(article: Article, hand_changed_at_import: datetime | None) -> bool:
    """Whether eAccounting may lead the stock of an article the first sync created at 0 (README,
    *Stock on the first sync*): a person set its balance by hand after the create (its
    StockBalanceManuallyChangedUtc moved), or it holds a positive balance (goods received).
    A negative balance is not entered stock: it is the shop's own sales reaching eAccounting
    before anyone counted the goods there. An article that is no stock item has nothing to enter."""
    if not article.is_stock:
        return True
    changed = article.stock_changed_by_hand_utc
    if changed is not None and changed != hand_changed_at_import:
        return True
    return Decimal(article.stock_balance) > 0


def tax_class_for(article: Article, ctx: CatalogContext) -> str:
    rate = ctx.vat_rate_by_coding.get(article.coding_id)
    if rate is None:
        raise PlanError(
            f"Article {article.number}: its account coding ({article.coding_id or 'none'}) has no VAT rate "
            "in eAccounting. Choose a coding with a VAT rate for the article."
        )
    tax_class = ctx.tax_class_by_rate.get(Decimal(rate))
    if tax_class is None:
        raise PlanError(
            f"Article {article.number}: no shop tax class is mapped to VAT {format(Decimal(rate).normalize(), 'f')} %. "
            "Add the mapping under tax classes."
        )
    return "" if tax_class == "standard" else tax_class


def unit_for(article: Article, ctx: CatalogContext) -> str:
    code = ctx.unit_code_by_id.get(article.unit_id)
    if code is None:
        raise PlanError(
            f"Article {article.number}: its unit ({article.unit_id or 'none'}) is not among eAccounting's units. "
            "Choose a unit for the article."
        )
    return code


def desired_values(article: Article, ctx: CatalogContext, *, variation: bool) -> dict[str, Any]:
    """The owned values the shop should show for ``article`` (JSON-able).

    Keys: sku, name (not for variations: they have no name of their own), regular_price,
    tax_class, tax_status, manage_stock, stock_quantity (stock items only), unit (where the shop keeps it).
    Raises ``PlanError`` for what a person must fix in eAccounting or in the mappings.
    """
    sku = (article.number or "").strip()
    if not sku:
        raise PlanError(f"Article {article.id} has no article number, so the shop cannot find it.")
    price = article.gross_price if ctx.prices_include_tax else article.net_price
    values: dict[str, Any] = {"sku": sku}
    if not variation:
        values["name"] = article.name or ""
    values["regular_price"] = format_price(price)
    values["tax_class"] = tax_class_for(article, ctx)
    values["tax_status"] = "taxable"
    values["manage_stock"] = bool(article.is_stock)
    if article.is_stock:
        values["stock_quantity"] = shop_stock(article.stock_available, ctx.pending_by_sku.get(sku, ZERO))
    if ctx.keeps_unit:
        values["unit"] = unit_for(article, ctx)
    return values


def shop_value(product: ShopProduct, name: str) -> Any:
    """What the shop shows now for one owned value, in the form of ``desired_values``."""
    if name == "unit":
        return product.meta.get(UNIT_META_KEY)
    if name == "regular_price":
        return None if product.regular_price is None else format(product.regular_price, "f")
    return getattr(product, name)


def same(name: str, a: Any, b: Any) -> bool:
    """Equal as the shop means it: "12.5" == "12.50", "standard" == "", 3 == "3"."""
    if name == "regular_price":
        return _amount(a) == _amount(b)
    if name == "tax_class":
        return _tax_class(a) == _tax_class(b)
    if name == "stock_quantity":
        return _count(a) == _count(b)
    if name == "manage_stock":
        return bool(a) == bool(b)
    if name == "unit" and a is not None and b is not None:
        return str(a) == str(b)
    return a == b


def _amount(value: Any) -> Decimal | str | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return str(value)  # unreadable: equal only to the same text


def _tax_class(value: Any) -> str:
    return "" if value in (None, "", "standard") else str(value)


def _count(value: Any) -> int | str | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return str(value)
