"""Pure functions: WooCommerce REST API v3 JSON → the platform-neutral dataclasses, and the
product write bodies (the only place a product or variation write body is built).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from .. import written
from ..amounts import amount
from ..base import (
    OWNED_PRODUCT_FIELDS,
    SYNC_HASH_META_KEY,
    Address,
    ChargeKind,
    CouponLine,
    FeeLine,
    LineTax,
    OrderLine,
    PaymentGateway,
    ProductWrite,
    RefundedCharge,
    RefundRef,
    ShippingLine,
    ShippingMethod,
    ShopInfo,
    ShopOrder,
    ShopProduct,
    ShopRefund,
    TaxRate,
    TaxTotal,
    WebhookInfo,
)

ZERO = Decimal("0")
REFUNDED_ITEM_META = "_refunded_item_id"  # on a refund's line: the id of the order line it pays back


# ---------------------------------------------------------------------- values
def money(value: Any) -> Decimal:
    """A WooCommerce amount (string, sometimes a JSON number) → Decimal; "" / None → 0."""
    if value is None or value == "":
        return ZERO
    return amount(value)


def price(value: Any) -> Decimal | None:
    """A price that may be unset ("")."""
    if value is None or value == "":
        return None
    return money(value)


def gmt(value: Any) -> datetime | None:
    """``2017-03-23T20:01:14`` (GMT, no zone) → aware UTC datetime."""
    if not value:
        return None
    v = str(value).strip().replace(" ", "T")
    if v.endswith("Z"):
        v = v[:-1] + "+00:00"
    dt = datetime.fromisoformat(v)
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def format_gmt(dt: datetime) -> str:
    """An aware datetime → GMT ISO string for ``modified_after`` (with ``dates_are_gmt=true``)."""
    if dt.tzinfo is None:
        raise ValueError("use an aware datetime")
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def meta(items: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if not isinstance(items, list):  # absent, or junk in a delivery: no meta data
        return out
    for m in items:
        if isinstance(m, dict) and "key" in m:
            out[str(m["key"])] = m.get("value")
    return out


def _int(value: Any, default: int = 0) -> int:
    if value is None or value == "":
        return default
    return int(value)


# ---------------------------------------------------------------------- products
def product(data: dict) -> ShopProduct:
    """A product (or a variation as the products endpoint / webhooks show it: type variation)."""
    parent = _int(data.get("parent_id"))
    is_variation = data.get("type") == "variation"
    return ShopProduct(
        id=int(data["id"]),
        parent_id=parent if is_variation and parent else None,
        sku=str(data.get("sku") or ""),
        name=str(data.get("name") or ""),
        type=str(data.get("type") or "simple"),
        status=str(data.get("status") or ""),
        regular_price=price(data.get("regular_price")),
        tax_class=str(data.get("tax_class") or ""),
        tax_status=str(data.get("tax_status") or "taxable"),
        manage_stock=bool(data.get("manage_stock")) and data.get("manage_stock") != "parent",
        stock_quantity=None if data.get("stock_quantity") is None else int(data["stock_quantity"]),
        date_modified_gmt=gmt(data.get("date_modified_gmt")),
        meta=meta(data.get("meta_data")),
        raw=data,
    )


def variation(
    data: dict, parent: dict | ShopProduct | None = None, parent_id: int | None = None
) -> ShopProduct:
    """A product variation (variations endpoint). Variations have no name: the parent's name and
    the attribute options, as WooCommerce shows it (``Hoodie - Blue``)."""
    if isinstance(parent, ShopProduct):
        parent_name, pid = parent.name, parent.id
    elif isinstance(parent, dict):
        parent_name, pid = str(parent.get("name") or ""), int(parent["id"])
    else:
        parent_name, pid = "", int(parent_id or 0)
    options = ", ".join(str(a.get("option", "")) for a in data.get("attributes") or [] if isinstance(a, dict))
    name = f"{parent_name} - {options}" if options and parent_name else (parent_name or options)
    manage = data.get("manage_stock")
    return ShopProduct(
        id=int(data["id"]),
        parent_id=pid or None,
        sku=str(data.get("sku") or ""),
        name=name,
        type="variation",
        status=str(data.get("status") or ""),
        regular_price=price(data.get("regular_price")),
        tax_class=str(data.get("tax_class") or ""),
        tax_status=str(data.get("tax_status") or "taxable"),
        manage_stock=manage is True,  # "parent": stock managed by the parent product
        stock_quantity=None if data.get("stock_quantity") is None else int(data["stock_quantity"]),
        date_modified_gmt=gmt(data.get("date_modified_gmt")),
        meta=meta(data.get("meta_data")),
        raw=data,
    )


# ---------------------------------------------------------------------- product writes
def sync_hash(body: dict) -> str:
    """``v1:<fields>:<digest>`` over the owned values of a write body (meta keys as ``meta.<key>``)."""
    values: dict[str, Any] = {k: body[k] for k in OWNED_PRODUCT_FIELDS if k in body and k != "meta_data"}
    for m in body.get("meta_data") or []:
        if m["key"] != SYNC_HASH_META_KEY:
            values["meta." + m["key"]] = str(m["value"])
    return written.owned_hash(values)


def matches_sync_hash(payload: dict) -> bool:
    """True when the owned values of a product payload are exactly those of its last Silta write."""
    stored = meta(payload.get("meta_data")).get(SYNC_HASH_META_KEY)
    fields = written.fields_of(stored)
    if fields is None:
        return False
    shown = meta(payload.get("meta_data"))
    values: dict[str, Any] = {}
    for f in fields:
        if f.startswith("meta."):
            if f[5:] not in shown:
                return False
            values[f] = str(shown[f[5:]])
        elif f in OWNED_PRODUCT_FIELDS and f in payload:
            values[f] = payload[f]
        else:
            return False
    if payload.get("manage_stock") is False and "stock_quantity" in values:
        values["stock_quantity"] = None  # untracked: the stock WooCommerce still shows is no stock
    try:
        return written.owned_hash(values) == stored
    except (ValueError, TypeError, ArithmeticError):  # ArithmeticError: a price that is no number
        return False


def write_body(w: ProductWrite, *, is_variation: bool) -> dict:
    """The JSON of one product/variation write: only owned fields (plus ``id`` for updates),
    and the echo hash in ``meta_data``."""
    body: dict[str, Any] = {}
    if w.id is not None:
        body["id"] = int(w.id)
    body["sku"] = str(w.sku).strip()
    if w.name is not None and not is_variation:  # variations have no name of their own
        body["name"] = w.name
    if w.regular_price is not None:
        body["regular_price"] = format(money(w.regular_price).quantize(Decimal("0.01")), "f")
    if w.tax_class is not None:
        body["tax_class"] = "" if w.tax_class == "standard" else w.tax_class
    if w.tax_status is not None:
        body["tax_status"] = w.tax_status
    if w.manage_stock is not None:
        body["manage_stock"] = bool(w.manage_stock)
    if w.stock_quantity is not None:
        body["stock_quantity"] = int(w.stock_quantity)
    if w.status is not None:
        body["status"] = w.status
    items = [
        {"key": str(k), "value": v if isinstance(v, str) else str(v)}
        for k, v in (w.meta or {}).items()
        if k != SYNC_HASH_META_KEY
    ]
    items.append({"key": SYNC_HASH_META_KEY, "value": sync_hash({**body, "meta_data": items})})
    body["meta_data"] = items
    assert_owned_only(body, w)
    return body


def assert_owned_only(body: dict, w: ProductWrite | None = None) -> None:
    """The rule for every product/variation write body (the one place it is enforced)."""
    extra = set(body) - set(OWNED_PRODUCT_FIELDS) - {"id"}
    assert not extra, f"product write would touch fields the shop owns: {sorted(extra)}"
    if w is not None:
        assert ("status" in body) == (w.status is not None), (
            "status is written only when the write asks for it"
        )


# ---------------------------------------------------------------------- settings, taxes, methods
def setting_value(options: list, option_id: str, default: Any = None) -> Any:
    for o in options or []:
        if isinstance(o, dict) and o.get("id") == option_id:
            return o.get("value", default)
    return default


def shop_info(general: list, tax: list, product_count: int) -> ShopInfo:
    return ShopInfo(
        currency=str(setting_value(general, "woocommerce_currency", "") or ""),
        taxes_enabled=setting_value(general, "woocommerce_calc_taxes", "no") == "yes",
        prices_include_tax=setting_value(tax, "woocommerce_prices_include_tax", "no") == "yes",
        product_count=int(product_count),
    )


def tax_rate(data: dict) -> TaxRate:
    return TaxRate(
        id=int(data["id"]),
        rate=money(data.get("rate")),
        name=str(data.get("name") or ""),
        tax_class=str(data.get("class") or "standard"),
        country=str(data.get("country") or ""),
    )


def shipping_method(data: dict, zone: dict) -> ShippingMethod:
    return ShippingMethod(
        zone_id=int(zone["id"]),
        zone_name=str(zone.get("name") or ""),
        instance_id=int(data["instance_id"]),
        method_id=str(data.get("method_id") or ""),
        title=str(data.get("title") or data.get("method_title") or ""),
        enabled=bool(data.get("enabled")),
    )


def payment_gateway(data: dict) -> PaymentGateway:
    return PaymentGateway(
        id=str(data["id"]), title=str(data.get("title") or ""), enabled=bool(data.get("enabled"))
    )


def webhook(data: dict) -> WebhookInfo:
    return WebhookInfo(
        id=int(data["id"]),
        topic=str(data.get("topic") or ""),
        delivery_url=str(data.get("delivery_url") or ""),
        status=str(data.get("status") or ""),
    )


# ---------------------------------------------------------------------- orders
BILLING_KEYS = tuple(Address.__dataclass_fields__)
SHIPPING_KEYS = tuple(k for k in BILLING_KEYS if k not in ("email", "phone"))  # the reference has no others


def address(data: Any, keys: tuple[str, ...] = BILLING_KEYS) -> Address:
    data = data if isinstance(data, dict) else {}
    return Address(**{k: str(data.get(k) or "") for k in keys})


def _taxes(items: Any) -> list[LineTax]:
    out = []
    for t in items or []:
        sub = t.get("subtotal")
        out.append(
            LineTax(
                rate_id=int(t["id"]),
                total=money(t.get("total")),
                subtotal=None if sub in (None, "") else money(sub),
            )
        )
    return out


def order_line(data: dict) -> OrderLine:
    return OrderLine(
        id=int(data["id"]),
        name=str(data.get("name") or ""),
        product_id=_int(data.get("product_id")),
        variation_id=_int(data.get("variation_id")),
        quantity=money(data.get("quantity")),
        sku=str(data.get("sku") or ""),
        price=money(data.get("price")),
        subtotal=money(data.get("subtotal")),
        subtotal_tax=money(data.get("subtotal_tax")),
        total=money(data.get("total")),
        total_tax=money(data.get("total_tax")),
        tax_class=str(data.get("tax_class") or ""),
        taxes=_taxes(data.get("taxes")),
        meta=meta(data.get("meta_data")),
        refunded_item_id=refunded_item_id(meta(data.get("meta_data"))),
    )


def shipping_line(data: dict) -> ShippingLine:
    return ShippingLine(
        id=int(data["id"]),
        method_id=str(data.get("method_id") or ""),
        method_title=str(data.get("method_title") or ""),
        total=money(data.get("total")),
        total_tax=money(data.get("total_tax")),
        taxes=_taxes(data.get("taxes")),
        meta=meta(data.get("meta_data")),
    )


def fee_line(data: dict) -> FeeLine:
    return FeeLine(
        id=int(data["id"]),
        name=str(data.get("name") or ""),
        tax_class=str(data.get("tax_class") or ""),
        tax_status=str(data.get("tax_status") or ""),
        total=money(data.get("total")),
        total_tax=money(data.get("total_tax")),
        taxes=_taxes(data.get("taxes")),
        meta=meta(data.get("meta_data")),
    )


def coupon_line(data: dict) -> CouponLine:
    return CouponLine(
        id=int(data["id"]),
        code=str(data.get("code") or ""),
        discount=money(data.get("discount")),
        discount_tax=money(data.get("discount_tax")),
    )


def order(data: dict) -> ShopOrder:
    return ShopOrder(
        id=int(data["id"]),
        number=str(data.get("number") or data["id"]),
        status=str(data.get("status") or ""),
        currency=str(data.get("currency") or ""),
        date_created_gmt=gmt(data.get("date_created_gmt")),
        date_modified_gmt=gmt(data.get("date_modified_gmt")),
        date_paid_gmt=gmt(data.get("date_paid_gmt")),
        prices_include_tax=bool(data.get("prices_include_tax")),
        total=money(data.get("total")),
        total_tax=money(data.get("total_tax")),
        shipping_total=money(data.get("shipping_total")),
        shipping_tax=money(data.get("shipping_tax")),
        discount_total=money(data.get("discount_total")),
        discount_tax=money(data.get("discount_tax")),
        customer_id=_int(data.get("customer_id")),
        customer_note=str(data.get("customer_note") or ""),
        billing=address(data.get("billing")),
        shipping=address(data.get("shipping"), SHIPPING_KEYS),
        payment_method=str(data.get("payment_method") or ""),
        payment_method_title=str(data.get("payment_method_title") or ""),
        transaction_id=str(data.get("transaction_id") or ""),
        line_items=[order_line(li) for li in data.get("line_items") or []],
        shipping_lines=[shipping_line(s) for s in data.get("shipping_lines") or []],
        fee_lines=[fee_line(f) for f in data.get("fee_lines") or []],
        coupon_lines=[coupon_line(c) for c in data.get("coupon_lines") or []],
        refunded_total=sum((abs(money(r.get("total"))) for r in data.get("refunds") or []), ZERO),
        meta=meta(data.get("meta_data")),
        raw=data,
        refunds=refund_refs(data.get("refunds")),
        tax_totals=[
            TaxTotal(
                int(t.get("rate_id") or 0), money(t.get("tax_total")), money(t.get("shipping_tax_total"))
            )
            for t in data.get("tax_lines") or []
        ],
    )


def refund_refs(items: Any) -> list[RefundRef]:
    """The order's ``refunds`` (id and a negative ``total`` each), oldest first."""
    refs = [
        RefundRef(int(r["id"]), abs(money(r.get("total"))))
        for r in items or []
        if isinstance(r, dict) and r.get("id")
    ]
    return sorted(refs, key=lambda r: r.id)


def refunded_item_id(values: dict[str, Any]) -> int | None:
    """The order line a refund line pays back (its ``_refunded_item_id`` meta), None when it does not say."""
    try:
        return int(str(values.get(REFUNDED_ITEM_META)).strip())
    except (TypeError, ValueError):
        return None


def refunded_charge(data: dict, kind: ChargeKind) -> RefundedCharge:
    """A refund's shipping or fee line: WooCommerce gives it negative, as the order line it mirrors."""
    name = data.get("method_title") if kind is ChargeKind.SHIPPING else data.get("name")
    taxes = tuple(
        LineTax(t.rate_id, -t.total, None if t.subtotal is None else -t.subtotal)
        for t in _taxes(data.get("taxes"))
    )
    return RefundedCharge(
        kind=kind,
        order_line_id=refunded_item_id(meta(data.get("meta_data"))),
        name=str(name or ""),
        net=-money(data.get("total")),
        tax=-money(data.get("total_tax")),
        taxes=taxes,
    )


def refund(data: dict, order_id: int) -> ShopRefund:
    return ShopRefund(
        id=int(data["id"]),
        order_id=int(order_id),
        amount=money(data.get("amount")),
        reason=str(data.get("reason") or ""),
        date_created_gmt=gmt(data.get("date_created_gmt")),
        line_items=[order_line(li) for li in data.get("line_items") or []],
        raw=data,
        charges=[refunded_charge(s, ChargeKind.SHIPPING) for s in data.get("shipping_lines") or []]
        + [refunded_charge(f, ChargeKind.FEE) for f in data.get("fee_lines") or []],
    )
