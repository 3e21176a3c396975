"""The first-sync import plan: shop products into eAccounting, then what goes the other way.

Pure: no I/O, no ORM. On the first sync the shop's products are created in eAccounting before
anything is pushed to the shop (README, *First sync, shop → eAccounting*); where an article with the same number exists,
the shop's copy overwrites it (Visma's rule). The plan is the preview: creates, overwrites
(field by field), links (already equal), rejects with reasons, and then the articles that will
be created in the shop and those left out. Applying it is the caller's: ``recheck`` every item
against live data first, PUT ``overwrite_body(live raw, item)``, keep ``item.undo``.

What the shop's copy overwrites in an existing article (number is the key and never changes):
Name; the price the shop defines (gross when the shop's prices include tax, else net) with the
other one derived, both written whenever the price or the VAT rate changes; CodingId when the
shop's VAT rate differs from the article's coding (the template for the article's own kind and
the shop's rate gives the coding); UnitId only when the article has none; IsActive and
SendToWebshop set to true, so the product stays in the shop. Never IsStock or stock (eAccounting
masters stock, and a stock article with a balance cannot be switched), nor any other field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from integration.eaccounting.resources import Article
from integration.webshops.base import ShopProduct

from . import import_reasons as reasons
from .import_values import (
    CENT,
    GOODS,
    GROSS,
    SERVICE,
    UNTAXED,
    ImportContext,
    Template,
    Wanted,
    check_product,
    percent,
    raw_get,
    sku_key,
    vat_rate_of,
    wire,
    with_values,
)

__all__ = [
    "Create",
    "FirstSyncPlan",
    "ImportContext",
    "LeftOut",
    "Link",
    "Overwrite",
    "PushCreate",
    "Reject",
    "Template",
    "deactivate_body",
    "overwrite_body",
    "plan_first_sync",
    "plan_product",
    "recheck",
    "undo_body",
]

CONTAINERS = ("variable", "grouped")  # not sold themselves: a variable product's variations are
ARTICLE_ATTRS = {
    "Name": "name",
    "CodingId": "coding_id",
    "UnitId": "unit_id",
    "GrossPrice": "gross_price",
    "NetPrice": "net_price",
    "IsActive": "is_active",
    "SendToWebshop": "send_to_webshop",
}


# ---------------------------------------------------------------------- items
@dataclass(frozen=True)
class Create:
    """A new eAccounting article: ``body`` is the POST /articles body."""

    sku: str
    product_id: int
    body: dict
    vat_rate: Decimal
    note: str = ""  # where the VAT rate came from, when the shop tells no product's rate


@dataclass(frozen=True)
class Overwrite:
    """An existing article the shop's copy overwrites. ``changes``: field → (eAccounting value,
    shop value); ``body``: the article as read with the changes (PUT is a full replace);
    ``undo``: the overwritten fields' values as read, for *Undo import*."""

    sku: str
    product_id: int
    article_id: str
    changes: dict[str, tuple]
    body: dict
    undo: dict
    article_changed_utc: datetime | None
    vat_rate: Decimal
    note: str = ""


@dataclass(frozen=True)
class Link:
    """The article already holds the shop's values: nothing is written, the two are linked."""

    sku: str
    product_id: int
    article_id: str
    vat_rate: Decimal
    note: str = ""


@dataclass(frozen=True)
class Reject:
    """A product that is not imported (or, from ``recheck``, an item skipped), and why."""

    sku: str
    name: str
    product_id: int | None
    reason: str

    @property
    def label(self) -> str:
        return self.sku or self.name


@dataclass(frozen=True)
class PushCreate:
    """An eAccounting article the following sync creates in the shop (as a draft)."""

    article_number: str
    article_id: str
    name: str = ""


@dataclass(frozen=True)
class LeftOut:
    """An eAccounting article that is not created in the shop, and why."""

    article_number: str
    reason: str
    article_id: str = ""


@dataclass
class FirstSyncPlan:
    creates: list[Create] = field(default_factory=list)
    overwrites: list[Overwrite] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    push_creates: list[PushCreate] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)
    # where the shop tells no product's rate: creates at the rate its orders charged, and at the standard rate
    learned_rate: int = 0
    assumed_rate: int = 0

    def add(self, item: Any) -> None:
        lists: dict[type, list[Any]] = {
            Create: self.creates,
            Overwrite: self.overwrites,
            Link: self.links,
            Reject: self.rejects,
            PushCreate: self.push_creates,
            LeftOut: self.left_out,
        }
        lists[type(item)].append(item)

    def summary(self) -> dict[str, int]:
        return {
            "create": len(self.creates),
            "overwrite": len(self.overwrites),
            "link": len(self.links),
            "reject": len(self.rejects),
            "push_create": len(self.push_creates),
            "left_out": len(self.left_out),
            "learned_rate": self.learned_rate,
            "assumed_rate": self.assumed_rate,
        }


# ---------------------------------------------------------------------- planning
def plan_first_sync(
    products: Iterable[ShopProduct],
    articles_by_number: Mapping[str, Article],
    all_articles: Iterable[Article],
    ctx: ImportContext,
) -> FirstSyncPlan:
    """The preview of the first sync. ``products``: every shop product and variation (read once
    and kept: a duplicate SKU can only be told at the end); ``articles_by_number``: the
    eAccounting articles by number; ``all_articles``: every article, streamed once."""
    products = list(products)
    parents = {p.id: p for p in products if p.type == "variable"}
    same_sku: dict[str, list[int]] = {}
    for p in products:
        if p.type not in CONTAINERS and sku_key(p.sku):
            same_sku.setdefault(sku_key(p.sku), []).append(p.id)
    plan = FirstSyncPlan()
    shop_keys, imported = set(), set()
    for p in products:
        key = sku_key(p.sku)
        if key:
            shop_keys.add(key)
        if p.type in CONTAINERS:
            continue
        parent = parents.get(p.parent_id) if p.parent_id else None
        parent_rate = vat_rate_of(parent, ctx) if parent else None
        others = [i for i in same_sku.get(key, []) if i != p.id]
        article = articles_by_number.get(p.sku.strip()) if key and not others else None
        parent_rate = parent_rate if isinstance(parent_rate, Decimal) else None
        item = plan_product(p, article, ctx, parent_rate, others)
        plan.add(item)
        if not isinstance(item, Reject):
            imported.add(item.sku)
    for article in all_articles:
        pushed = _push_item(article, shop_keys, imported, ctx)
        if pushed is not None:
            plan.add(pushed)
    if not ctx.product_rates_known:
        plan.learned_rate = sum(1 for c in plan.creates if sku_key(c.sku) in ctx.vat_rate_by_sku)
        plan.assumed_rate = len(plan.creates) - plan.learned_rate
    return plan


def plan_product(
    product: ShopProduct,
    article: Article | None,
    ctx: ImportContext,
    parent_rate: Decimal | None = None,
    same_sku: Iterable[int] = (),
) -> Create | Overwrite | Link | Reject:
    """One product's item: Create (no article with its number), Overwrite, Link or Reject.
    ``same_sku``: ids of other shop products with the same SKU (then it is rejected)."""
    wanted, problems = check_product(product, ctx, parent_rate)
    if same_sku:
        problems.insert(
            0,
            reasons.SAME_SKU % {"products": ", ".join(f"#{i}" for i in same_sku)},
        )
    if problems or wanted is None:
        return _reject(product, problems)
    item = _create(product, wanted, ctx) if article is None else _overwrite(product, wanted, article, ctx)
    note = _rate_note(product, wanted, ctx)
    return replace(item, note=note) if note and not isinstance(item, Reject) else item


def _rate_note(product: ShopProduct, wanted: Wanted, ctx: ImportContext) -> str:
    """Where the shop tells no product's rate: whether its orders told this one's, or it is assumed."""
    if ctx.product_rates_known or product.tax_status in UNTAXED:
        return ""
    rate = percent(wanted.vat_rate)
    if ctx.rate_from_orders(product) is None:
        return reasons.RATE_ASSUMED % {"rate": rate}
    earlier = ctx.earlier_rates_by_sku.get(sku_key(product.sku))
    if earlier:
        return reasons.RATE_LATEST % {"rate": rate, "earlier": ", ".join(percent(r) for r in earlier)}
    return reasons.RATE_FROM_ORDERS % {"rate": rate}


def _reject(product: ShopProduct, problems: list[str]) -> Reject:
    reason = "; ".join(problems)
    return Reject(product.sku.strip(), product.name, product.id, reason[:1].upper() + reason[1:])


def _no_template(kind: str, rate: Decimal) -> str:
    template = reasons.NO_TEMPLATE_SERVICE if kind == SERVICE else reasons.NO_TEMPLATE_GOODS
    return template % {"rate": percent(rate)}


def _create(product: ShopProduct, wanted: Wanted, ctx: ImportContext) -> Create | Reject:
    template = ctx.templates.get((wanted.kind, wanted.vat_rate))
    if template is None:
        return _reject(product, [_no_template(wanted.kind, wanted.vat_rate)])
    prices = wanted.prices()
    body = {
        "Number": wanted.number,
        "Name": wanted.name,
        "NetPrice": wire(prices["NetPrice"]),
        "GrossPrice": wire(prices["GrossPrice"]),
        "CodingId": template.coding_id,
        "UnitId": template.unit_id,
        "IsActive": True,
        "IsStock": bool(template.is_stock) and wanted.kind == GOODS,  # a service is never a stock item
        "SendToWebshop": True,
    }
    return Create(wanted.number, product.id, body, wanted.vat_rate)


def _overwrite(
    product: ShopProduct, wanted: Wanted, article: Article, ctx: ImportContext
) -> Overwrite | Link | Reject:
    if article.id in ctx.excluded_article_ids:
        return _reject(
            product,
            [
                "its SKU is the number of a template article in eAccounting (used on shipping "
                "or payment fee rows), which the import never overwrites"
            ],
        )
    service = raw_get(article.raw, "IsServiceArticle")
    kind = wanted.kind if service is None else (SERVICE if service else GOODS)
    template = ctx.templates.get((kind, wanted.vat_rate))
    new: dict[str, Any] = {}
    if article.name != wanted.name:
        new["Name"] = wanted.name
    coding_rate = ctx.vat_rate_by_coding.get(article.coding_id)
    vat_differs = coding_rate is None or Decimal(coding_rate) != wanted.vat_rate
    if template is None and (vat_differs or not article.unit_id):
        what = reasons.VAT_DIFFERS if vat_differs else reasons.NO_UNIT
        return _reject(product, [what % {"reason": _no_template(kind, wanted.vat_rate)}])
    if vat_differs and template is not None and template.coding_id != article.coding_id:
        new["CodingId"] = template.coding_id
    if not article.unit_id and template is not None:  # None: refused above
        new["UnitId"] = template.unit_id
    current = article.gross_price if wanted.price_field == GROSS else article.net_price
    if current.quantize(CENT) != wanted.price or "CodingId" in new:
        new.update((f, v) for f, v in wanted.prices().items() if getattr(article, ARTICLE_ATTRS[f]) != v)
    if not article.is_active:
        new["IsActive"] = True
    if not article.send_to_webshop:
        new["SendToWebshop"] = True
    if not new:
        return Link(wanted.number, product.id, article.id, wanted.vat_rate)
    changes = {f: (getattr(article, ARTICLE_ATTRS[f]), v) for f, v in new.items()}
    undo = {f: raw_get(article.raw, f) for f in new}
    return Overwrite(
        wanted.number,
        product.id,
        article.id,
        changes,
        with_values(article.raw, new),
        undo,
        article.changed_utc,
        wanted.vat_rate,
    )


def _left_out_reasons(article: Article, ctx: ImportContext) -> list[str]:
    found: list[str] = []
    if not (article.number or "").strip():
        found.append(reasons.NO_ARTICLE_NUMBER)
    if article.id in ctx.excluded_article_ids:
        found.append(reasons.TEMPLATE_ARTICLE)
    if not article.is_active:
        found.append(reasons.INACTIVE)
    if not article.send_to_webshop:
        found.append(reasons.NOT_IN_WEBSHOP)
    return found


def _push_item(
    article: Article, shop_keys: set[str], imported: set[str], ctx: ImportContext
) -> PushCreate | LeftOut | None:
    number = (article.number or "").strip()
    if number and number in imported:
        return None  # the shop's own product, created or overwritten by the import and linked
    left_out = _left_out_reasons(article, ctx)
    if not left_out and sku_key(number) in shop_keys:
        left_out = [reasons.SKU_IN_SHOP]
    if left_out:
        reason = "; ".join(left_out)
        return LeftOut(article.number, reason[:1].upper() + reason[1:], article.id)
    return PushCreate(article.number, article.id, article.name)


# ---------------------------------------------------------------------- apply time
def recheck(
    item: Any, live_article: Article | None, live_product: ShopProduct | None, ctx: ImportContext
) -> Reject | None:
    """None when ``item`` still matches the live data, else why it is skipped (not forced).

    ``live_article``: for a Create or PushCreate the article now found by number, for an
    Overwrite or Link the article by id. ``live_product``: the shop product by id (for a
    PushCreate: the shop product now found by the article's number, if any).
    """
    if isinstance(item, PushCreate):
        return _recheck_push(item, live_article, live_product, ctx)
    if live_product is None:
        return Reject(item.sku, "", item.product_id, reasons.PRODUCT_GONE)

    def skip(reason: str) -> Reject:
        return Reject(item.sku, live_product.name, item.product_id, reason)

    if live_product.sku.strip() != item.sku:
        return skip(reasons.SKU_CHANGED % {"sku": live_product.sku})
    if isinstance(item, Create) and live_article is not None:
        return skip(reasons.ARTICLE_CREATED % {"number": item.sku})
    if isinstance(item, Overwrite | Link):
        if live_article is None:
            return skip(reasons.ARTICLE_GONE)
        if (live_article.number or "").strip() != item.sku:
            return skip(reasons.ARTICLE_NUMBER_CHANGED % {"number": live_article.number})
        if isinstance(item, Overwrite) and live_article.changed_utc != item.article_changed_utc:
            return skip(reasons.ARTICLE_CHANGED)
    again = plan_product(live_product, live_article, ctx, item.vat_rate)
    if isinstance(again, Reject):
        return skip(reasons.NO_LONGER % {"reason": again.reason})
    before, now = _fields(item), _fields(again)
    changed = [f for f in {**before, **now} if before.get(f) != now.get(f)]
    if changed or type(again) is not type(item):
        return skip(reasons.CHANGED_AFTER % {"fields": ", ".join(changed)} if changed else reasons.CHANGED)
    return None


def _fields(item: Any) -> dict[str, Any]:
    return item.body if isinstance(item, Create) else getattr(item, "changes", {})


def _recheck_push(
    item: PushCreate, live_article: Article | None, live_product: ShopProduct | None, ctx: ImportContext
) -> Reject | None:
    def skip(reason: str) -> Reject:
        return Reject(item.article_number, item.name, None, reason)

    if live_article is None:
        return skip(reasons.ARTICLE_GONE)
    if live_article.number != item.article_number:
        return skip(reasons.NUMBER_CHANGED % {"number": live_article.number})
    left_out = _left_out_reasons(live_article, ctx)
    if left_out:
        return skip(reasons.IS_NOW % {"reason": "; ".join(left_out)})
    if live_product is not None:
        return skip(reasons.SHOP_HAS_SKU % {"sku": item.article_number, "product": live_product.id})
    return None


def overwrite_body(article_raw_now: dict, overwrite: Overwrite) -> dict:
    """The PUT body at apply time: the article as read just now, with the overwrite's values.
    Prefer it to ``overwrite.body``: values that move without a change of ChangedUtc (stock)
    are then the current ones."""
    return with_values(article_raw_now, {f: new for f, (_old, new) in overwrite.changes.items()})


def undo_body(article_raw_now: dict, overwrite: Overwrite) -> dict:
    """The PUT body of *Undo import*: the article as read now with the overwritten fields' old values."""
    return with_values(article_raw_now, overwrite.undo)


def deactivate_body(article_raw: dict) -> dict:
    """The PUT body that undoes a create: the API cannot delete articles, so deactivate it."""
    return with_values(article_raw, {"IsActive": False})
