"""The article plan: what to do in the shop for each eAccounting article, and why.

Pure: the plan is computed from the article, our link and the shop's copy, so that dry
runs, previews, tests and the real sync share one code path; applying it is the caller's.

Rules (README, *Articles, eAccounting → shop*): eAccounting owns number, name, unit, VAT rate, price, stock item
flag and stock; the shop owns everything else, including the status once a product exists.
The sync sets the status only to create (draft), hide (draft) and bring back (the status it
had before hiding). Every write carries all owned values, because the shop's echo hash covers
exactly the fields of the last write.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from integration.eaccounting.resources import Article
from integration.webshops.base import ProductWrite, ShopProduct

from . import import_reasons as reasons
from .article_values import (
    STOCK_FIELDS,
    UNIT_META_KEY,
    CatalogContext,
    PlanError,
    desired_values,
    same,
    shop_value,
    stock_entered,
)
from .stock_drift import NOTHING, Sold, unexplained_change

__all__ = [
    "ACTIONS",
    "CatalogContext",
    "LinkState",
    "PlanError",
    "Step",
    "count_actions",
    "desired_values",
    "plan_article",
    "plan_catalog",
    "price_change_share",
]

ACTIONS = ("create", "update", "hide", "restore", "keep", "skip", "link")
DRAFT = "draft"  # new products arrive hidden, and hiding is a return to draft
LABELS = reasons.FIELD_LABELS


@dataclass(frozen=True)
class LinkState:
    """What an ``ArticleLink`` row holds, without the ORM, so the planner stays pure.

    ``shop_product_id`` is None only in the ``new_link`` of a create: fill it in from the
    write's outcome (``dataclasses.replace``) before storing it. ``stock_led_by_shop``: the first
    sync created the article at 0 in eAccounting, and the shop keeps its own stock until stock is
    entered there (``stock_entered``; ``stock_hand_changed_at_import`` is what the create answered).
    """

    shop_product_id: int | None
    shop_parent_id: int | None = None
    hidden: bool = False
    status_before_hiding: str = ""
    last_written: Mapping[str, Any] = field(default_factory=dict)
    stock_led_by_shop: bool = False
    stock_hand_changed_at_import: datetime | None = None

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "last_written", dict(self.last_written or {})
        )  # JSON-able, compares as a dict

    @classmethod
    def from_link(cls, link: Any) -> LinkState:
        return cls(
            shop_product_id=link.shop_product_id,
            shop_parent_id=link.shop_parent_id,
            hidden=bool(link.hidden),
            status_before_hiding=link.status_before_hiding or "",
            last_written=link.last_written or {},
            stock_led_by_shop=bool(getattr(link, "stock_led_by_shop", False)),
            stock_hand_changed_at_import=getattr(link, "stock_hand_changed_at_import", None),
        )


@dataclass(frozen=True)
class Step:
    """One article's planned action.

    ``changes``: field → (shop value, new value). ``drift``: field → (last written, shop value,
    new value) for fields edited in the shop. ``new_link``: the link to store once the write
    (if any) succeeded; None when the stored link is already right. ``error``: the skip needs
    a person (``reason`` says what to fix).
    """

    action: str
    article: Article
    write: ProductWrite | None = None
    changes: dict[str, tuple] = field(default_factory=dict)
    drift: dict[str, tuple] = field(default_factory=dict)
    reason: str = ""
    new_link: LinkState | None = None
    error: bool = False


def why_not_shown(article: Article, ctx: CatalogContext) -> str:
    """The reason in words why the article does not belong in the shop; "" when it does."""
    if article.id in ctx.excluded_article_ids:
        return reasons.TEMPLATE_ARTICLE_USE
    if not article.is_active:
        return reasons.INACTIVE_IN_EACCOUNTING
    if not article.send_to_webshop:
        return reasons.NOT_IN_WEBSHOP
    return ""


def plan_article(
    article: Article, link: LinkState | None, product: ShopProduct | None, ctx: CatalogContext
) -> Step:
    """The step for one article. ``product``: the linked product, or (no link) the shop's product
    with the article's number as SKU. Problems a person must fix come back as an error skip."""
    try:
        return _plan(article, link, product, ctx)
    except PlanError as exc:
        return Step("skip", article, reason=exc.reason, error=True)


def _plan(article: Article, link: LinkState | None, product: ShopProduct | None, ctx: CatalogContext) -> Step:
    why_not = why_not_shown(article, ctx)
    if product is None:
        if link is not None:
            return Step("skip", article, reason=reasons.DELETED_IN_SHOP)
        if why_not:
            return Step("skip", article, reason=why_not)
        return _create(article, ctx)
    if link is not None and link.hidden and why_not:
        return Step("keep", article, reason=reasons.HIDDEN_BECAUSE % {"reason": why_not})
    parent_id = _parent_of(product, link)
    adopted = link is None
    link = link or LinkState(product.id, parent_id)
    shop_leads = link.stock_led_by_shop and not stock_entered(article, link.stock_hand_changed_at_import)
    step = _plan_linked(article, link, product, parent_id, ctx, why_not, shop_leads, adopted)
    if link.stock_led_by_shop and not shop_leads:  # the new link (never None here) clears the flag
        reason = reasons.STOCK_ENTERED
        return dataclasses.replace(step, reason=f"{reason}; {step.reason}" if step.reason else reason)
    return step


def _without_stock(values: dict[str, Any], shop_leads: bool) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k not in STOCK_FIELDS} if shop_leads else values


def _plan_linked(
    article: Article,
    link: LinkState,
    product: ShopProduct,
    parent_id: int | None,
    ctx: CatalogContext,
    why_not: str,
    shop_leads: bool,
    adopted: bool,
) -> Step:
    """An article with a shop product (linked, or about to be). ``shop_leads``: the shop keeps its own
    stock, so the stock fields are neither written nor remembered (and a sale in the shop is no drift)."""
    if why_not:
        return _hide(article, link, product, parent_id, ctx, why_not, shop_leads)
    values = _without_stock(desired_values(article, ctx, variation=parent_id is not None), shop_leads)
    if link.hidden:
        status = link.status_before_hiding or DRAFT
        return _step(
            "restore",
            article,
            link,
            product,
            parent_id,
            values,
            status=status,
            reason=reasons.AVAILABLE_AGAIN % {"status": status},
            shop_leads=shop_leads,
            sales=ctx.sales_since_write,
        )
    step = _step(
        "update",
        article,
        link,
        product,
        parent_id,
        values,
        shop_leads=shop_leads,
        sales=ctx.sales_since_write,
    )
    if adopted:
        reason = reasons.FOUND_BY_NUMBER + (f"; {step.reason}" if step.write else "")
        return Step(
            "link", article, step.write, step.changes, step.drift, reason, _linked(product, parent_id, values)
        )
    if step.write is None:
        reason = reasons.UP_TO_DATE if step.new_link is None else reasons.UP_TO_DATE_SHOWN
        return Step("keep", article, reason=reason, new_link=step.new_link)
    return step


def _create(article: Article, ctx: CatalogContext) -> Step:
    values = desired_values(article, ctx, variation=False)  # never create variations
    changes: dict[str, tuple] = {name: (None, value) for name, value in values.items()}
    changes["status"] = (None, DRAFT)
    return Step(
        "create",
        article,
        _write(values, None, None, DRAFT),
        changes,
        reason=reasons.CREATED_AS_DRAFT,
        new_link=LinkState(None, None, False, "", values),
    )


def _hide(
    article: Article,
    link: LinkState,
    product: ShopProduct,
    parent_id: int | None,
    ctx: CatalogContext,
    why_not: str,
    shop_leads: bool = False,
) -> Step:
    """Hide, remembering the owner's status; carry the owned values along (echo hash)."""
    try:
        values = desired_values(article, ctx, variation=parent_id is not None)
    except PlanError:  # an inactive article may have lost its mappings: hide it anyway, as last written
        values = {k: v for k, v in link.last_written.items() if not (parent_id and k == "name")}
        values.setdefault("sku", product.sku)
    values = _without_stock(values, shop_leads)
    return _step(
        "hide",
        article,
        link,
        product,
        parent_id,
        values,
        status=DRAFT,
        before=product.status,
        reason=reasons.HIDDEN_WAS % {"reason": why_not, "status": product.status or "unknown"},
        shop_leads=shop_leads,
        sales=ctx.sales_since_write,
    )


def _step(
    action: str,
    article: Article,
    link: LinkState,
    product: ShopProduct,
    parent_id: int | None,
    values: dict[str, Any],
    *,
    status: str | None = None,
    before: str | None = None,
    reason: str = "",
    shop_leads: bool = False,
    sales: Mapping[str, Sold] | None = None,
) -> Step:
    """Compare, and write all owned values when anything differs (status only for hide/restore)."""
    changes = {
        n: (shop_value(product, n), v) for n, v in values.items() if not same(n, shop_value(product, n), v)
    }
    drift = {
        n: (link.last_written[n], old, new)
        for n, (old, new) in changes.items()
        if n in link.last_written and _drifted(n, link.last_written[n], old, values, sales)
    }
    if status is not None and product.status != status:
        changes["status"] = (product.status, status)
    new_link = LinkState(
        product.id,
        parent_id,
        before is not None,
        before or "",
        values,
        stock_led_by_shop=shop_leads,
        stock_hand_changed_at_import=link.stock_hand_changed_at_import,
    )
    return Step(
        action,
        article,
        _write(values, product.id, parent_id, status) if changes else None,
        changes,
        drift,
        reason or _update_reason(changes, drift),
        None if new_link == link else new_link,
    )


def _drifted(
    name: str, last_written: Any, shop_now: Any, values: Mapping[str, Any], sales: Mapping[str, Sold] | None
) -> bool:
    """Changed in the shop since Silta wrote it; for stock, only what the shop's orders since do not explain."""
    if same(name, last_written, shop_now):
        return False
    if name != "stock_quantity":
        return True
    sold = NOTHING if sales is None else sales.get(values.get("sku", ""), NOTHING)
    return unexplained_change(last_written, shop_now, sold) != 0


def _linked(product: ShopProduct, parent_id: int | None, values: dict[str, Any]) -> LinkState:
    return LinkState(product.id, parent_id, False, "", values)


def _update_reason(changes: dict, drift: dict) -> str:
    parts = []
    from_eaccounting = [LABELS[n] for n in changes if n not in drift]
    if from_eaccounting:
        parts.append(reasons.CHANGED_IN_EACCOUNTING % {"fields": ", ".join(from_eaccounting)})
    if drift:
        parts.append(reasons.PUT_BACK_FIELDS % {"fields": ", ".join(LABELS[n] for n in drift)})
    return "; ".join(parts) or reasons.UP_TO_DATE


def _parent_of(product: ShopProduct, link: LinkState | None) -> int | None:
    """The parent product's id for a variation, None for a product; PlanError for what has no price."""
    if product.type in ("variable", "grouped"):
        raise PlanError(
            f"Shop product {product.id} (SKU {product.sku}) is a {product.type} product, which has no price or "
            "stock of its own: give the article number to one of its variations or to a simple product."
        )
    if product.type != "variation" and product.parent_id is None:
        return None
    parent_id = product.parent_id or (link.shop_parent_id if link else None)
    if not parent_id:
        raise PlanError(f"Shop variation {product.id} (SKU {product.sku}) has no parent product.")
    return parent_id


def _write(
    values: Mapping[str, Any], product_id: int | None, parent_id: int | None, status: str | None
) -> ProductWrite:
    price = values.get("regular_price")
    return ProductWrite(
        sku=values["sku"],
        name=None if parent_id else values.get("name"),  # variations have no name of their own
        regular_price=None if price is None else Decimal(str(price)),
        tax_class=values.get("tax_class"),
        tax_status=values.get("tax_status"),
        manage_stock=values.get("manage_stock"),
        stock_quantity=values.get("stock_quantity") if values.get("manage_stock") else None,
        status=status,
        meta={UNIT_META_KEY: values["unit"]} if "unit" in values else {},
        id=product_id,
        parent_id=parent_id,
    )


def plan_catalog(
    articles: Iterable[Article],
    links_by_article_id: Mapping[str, Any],
    products_by_id: Mapping[int, ShopProduct],
    products_by_sku: Mapping[str, ShopProduct],
    ctx: CatalogContext,
) -> Iterator[Step]:
    """One step per article, streaming (feed it page by page).

    ``links_by_article_id``: ``LinkState`` (or ``ArticleLink``) per article id;
    ``products_by_id``: the linked products and variations; ``products_by_sku``: shop
    products not linked to any article, by SKU (a linked product must not be adopted twice).
    """
    for article in articles:
        link = links_by_article_id.get(article.id)
        if link is not None and not isinstance(link, LinkState):
            link = LinkState.from_link(link)
        if link is not None:
            product = products_by_id.get(link.shop_product_id) if link.shop_product_id is not None else None
        else:
            product = products_by_sku.get((article.number or "").strip())
        yield plan_article(article, link, product, ctx)


def count_actions(steps: Iterable[Step]) -> dict[str, int]:
    """Steps per action for the run record; skips that need a person are counted as "error"."""
    counts = dict.fromkeys((*ACTIONS, "error"), 0)
    for step in steps:
        counts["error" if step.error else step.action] += 1
    return counts


def price_change_share(steps: Iterable[Step], linked_count: int) -> Decimal:
    """Share (0–1) of the already linked articles whose shop price this plan would change, for the
    mass-change guard: a flipped tax setting or a wrong price list shows up here before it is written."""
    if linked_count <= 0:
        return Decimal("0")
    changed = sum(
        1 for s in steps if s.action in ("update", "hide", "restore") and "regular_price" in s.changes
    )
    return Decimal(changed) / Decimal(linked_count)
