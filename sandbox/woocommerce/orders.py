"""Orders, refunds and order notes (call with ``state.lock`` held).

Totals are WooCommerce's own arithmetic (``totals.py``): line ``subtotal``/``total`` exclude tax;
with ``prices_include_tax`` the catalogue price is gross, the tax is extracted and coupons apply to
the gross prices. Stock is reduced when an order reaches processing / on-hold / completed and
restored when it is cancelled (``_order_stock_reduced`` in WooCommerce).
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from . import catalog
from . import resources as R
from . import totals as T
from .errors import ApiError, invalid_id, invalid_param
from .state import ShopState

ORDER_STATUSES = ("pending", "processing", "on-hold", "completed", "cancelled", "refunded", "failed", "trash")
STOCK_REDUCING = ("processing", "on-hold", "completed")
PAID_STATUSES = ("processing", "completed")

ADDRESS_KEYS = (
    "first_name",
    "last_name",
    "company",
    "address_1",
    "address_2",
    "city",
    "state",
    "postcode",
    "country",
)


def _address(data: dict | None, billing: bool) -> dict:
    keys = ADDRESS_KEYS + (("email", "phone") if billing else ())
    data = data or {}
    return {k: str(data.get(k, "") or "") for k in keys}


def _emit(state: ShopState, topic: str, oid: int) -> None:
    d = state.webhooks_dispatcher
    if d is not None:
        d.emit(
            topic,
            lambda base: R.order_json(state, state.orders[oid], base) if oid in state.orders else {"id": oid},
        )


# ---------------------------------------------------------------------- taxes
def tax_rates_for(state: ShopState, tax_class: str) -> tuple[T.TaxRate, ...]:
    """The rates WooCommerce applies to a tax class: per priority the first matching rate (WC_Tax::find_rates)."""
    if not state.settings["calc_taxes"]:
        return ()
    slug = tax_class or "standard"
    chosen: dict[int, dict] = {}
    for r in sorted(state.tax_rates.values(), key=lambda r: (r["priority"], r["order"], r["id"])):
        if r["class"] == slug and r["country"] in ("", state.settings["tax_country"]):
            chosen.setdefault(int(r["priority"]), r)
    return tuple(T.TaxRate(r["id"], R.dec(r["rate"]), bool(r["compound"])) for _, r in sorted(chosen.items()))


def tax_amount(value: Decimal) -> str:
    """An item's per-rate tax as WooCommerce keeps it in ``taxes``: unrounded (6 decimals), shown with at
    least 2 (the REST API prints ``taxes`` as stored, unlike the item's rounded ``total_tax``)."""
    text = f"{T.precise(value).normalize():f}"
    return text if "." in text and len(text.split(".")[1]) > 2 else f"{value:.2f}"


def _taxes_json(taxes: dict[int, Decimal], subtotals: dict[int, Decimal] | None) -> list[dict]:
    return [
        {
            "id": rid,
            "total": tax_amount(t),
            "subtotal": "" if subtotals is None else tax_amount(subtotals.get(rid, T.ZERO)),
        }
        for rid, t in taxes.items()
    ]


# ---------------------------------------------------------------------- building
def _resolve_line(state: ShopState, li: dict) -> tuple[dict, dict | None]:
    """(product, variation) for a line item given by product_id / variation_id / sku."""
    pid, vid = li.get("product_id") or 0, li.get("variation_id") or 0
    if not pid and not vid and li.get("sku"):
        owner = catalog.sku_owner(state, li["sku"])
        if owner in state.variations:
            vid = owner
        elif owner:
            pid = owner
    if vid:
        v = state.variations.get(vid)
        if v is None:
            raise ApiError(400, "woocommerce_rest_invalid_product_id", "Product ID provided is invalid.")
        return state.products[v["parent_id"]], v
    p = state.products.get(pid)
    if p is None:
        raise ApiError(400, "woocommerce_rest_invalid_product_id", "Product ID provided is invalid.")
    if p["type"] == "variable":
        raise ApiError(
            400, "woocommerce_rest_invalid_product_id", "Product ID provided is a variable product."
        )
    return p, None


def _build_line(state: ShopState, li: dict) -> dict:
    product, variation = _resolve_line(state, li)
    src = variation or product
    qty = li.get("quantity", 1)
    # WooCommerce's REST API takes any integer (a line of 0 is dropped: refused here); an integration may post a
    # negative one, which WC_Order_Item_Product::set_quantity keeps
    if not isinstance(qty, int) or isinstance(qty, bool) or qty == 0:
        raise invalid_param("line_items", "quantity must be a whole number other than 0.")
    name = product["name"]
    meta: list[dict] = []
    if variation:
        opts = [a["option"] for a in variation.get("attributes", [])]
        if opts:
            name = f"{name} - {', '.join(opts)}"
        meta = [
            {"id": state.next_meta_id(), "key": a["name"].lower(), "value": a["option"]}
            for a in variation.get("attributes", [])
        ]
    unit = R.dec(li["price"]) if "price" in li else R.dec(R.current_price(state, src))
    tax_class = src.get("tax_class", "")
    return {
        "id": state.next_item_id(),
        "name": name,
        "product_id": product["id"],
        "variation_id": variation["id"] if variation else 0,
        "quantity": qty,
        "tax_class": tax_class,
        "_unit": unit,
        "_taxable": src.get("tax_status", "taxable") == "taxable",
        "_on_sale": R.sale_active(state, src),
        "meta_data": meta,
        "sku": src.get("sku", ""),
    }


def _shipping_method(state: ShopState, method_id: str, instance_id: int | None) -> dict | None:
    for zone_methods in state.zone_methods.values():
        for m in zone_methods:
            if instance_id and m["instance_id"] == instance_id:
                return m
    for zone_methods in state.zone_methods.values():
        for m in zone_methods:
            if m["method_id"] == method_id:
                return m
    return None


def _build_shipping(state: ShopState, s: dict) -> dict:
    method_id = s.get("method_id", "flat_rate")
    m = _shipping_method(state, method_id, s.get("instance_id"))
    title = s.get("method_title") or (m["settings"]["title"]["value"] if m else method_id)
    if "total" in s:
        cost = R.dec(s["total"])
    elif m and "cost" in m["settings"]:
        cost = R.dec(m["settings"]["cost"]["value"])
    else:
        cost = Decimal("0")
    return {
        "id": state.next_item_id(),
        "method_title": title,
        "method_id": method_id,
        "_instance_id": (m or {}).get("instance_id", s.get("instance_id", 0)),
        "_cost": cost,
        "_taxable": (m is None or m["settings"].get("tax_status", {}).get("value", "taxable") == "taxable"),
        "meta_data": [
            {"id": state.next_meta_id(), "key": x.get("key", ""), "value": x.get("value", "")}
            for x in s.get("meta_data", []) or []
        ],
    }


def _build_fee(state: ShopState, f: dict) -> dict:
    if "name" not in f:
        raise invalid_param("fee_lines", "fee_lines items need a name.")
    return {
        "id": state.next_item_id(),
        "name": f["name"],
        "tax_class": f.get("tax_class", ""),
        "tax_status": f.get("tax_status", "taxable"),
        "_amount": R.dec(f.get("total", "0")),
        "meta_data": [],
    }


DELETED_RATE = {"country": "", "name": "", "priority": 1, "compound": False}


def order_settings(state: ShopState, o: dict) -> T.Settings:
    """The shop settings an order is calculated with; prices_include_tax is the order's own (as WooCommerce
    stores it on the order), the rounding and coupon options are read when calculating."""
    s = state.settings
    return T.Settings(
        prices_include_tax=bool(o.get("prices_include_tax")),
        tax_round_at_subtotal=bool(s.get("tax_round_at_subtotal")),
        calc_discounts_sequentially=bool(s.get("calc_discounts_sequentially")),
        calc_taxes=bool(s["calc_taxes"]),
        negative_fee_tax=T.NegativeFeeTax(s.get("negative_fee_tax") or T.NegativeFeeTax.APPORTION),
    )


def coupon_from(data: dict) -> dict:
    """A coupon definition for the shop (control API); ValueError says what is wrong."""
    code = str(data.get("code") or "").strip().lower()  # wc_format_coupon_code lower-cases
    if not code:
        raise ValueError("code is required")
    kinds = [k.value for k in T.CouponType]
    if data.get("discount_type", "fixed_cart") not in kinds:
        raise ValueError(f"discount_type must be one of {', '.join(kinds)}")
    if not R.is_number(data.get("amount")) or R.dec(data["amount"]) < 0:
        raise ValueError("amount must be a number of at least 0")
    limit = data.get("limit_usage_to_x_items")
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 0):
        raise ValueError("limit_usage_to_x_items must be a whole number or null")
    return {
        "code": code,
        "discount_type": data.get("discount_type", "fixed_cart"),
        "amount": str(data["amount"]),
        "limit_usage_to_x_items": limit or None,
        "exclude_sale_items": bool(data.get("exclude_sale_items")),
    }


def _coupon(state: ShopState, c: dict, settings: T.Settings) -> T.Coupon:
    known = state.coupons.get(c["code"])
    if known is None:
        # recalculate_coupons: a coupon it cannot load becomes a fixed cart coupon of its stored discount.
        amount = R.dec(c.get("discount")) + (
            R.dec(c.get("discount_tax")) if settings.prices_include_tax else 0
        )
        return T.Coupon(c["code"], T.CouponType.FIXED_CART, amount)
    return T.Coupon(
        c["code"],
        T.CouponType(known["discount_type"]),
        R.dec(known["amount"]),
        known.get("limit_usage_to_x_items") or None,
        bool(known.get("exclude_sale_items")),
    )


def recalculate(state: ShopState, o: dict) -> None:
    """Compute every line and order total from the stored unit prices (WC calculate_totals)."""
    st = order_settings(state, o)
    lines = []
    for item in o["line_items"]:
        rates = tax_rates_for(state, item["tax_class"]) if item["_taxable"] else ()
        subtotal = T.price_excluding_tax(item["_unit"], item["quantity"], rates, st)
        lines.append(T.LineItem(item["id"], item["quantity"], subtotal, rates, bool(item.get("_on_sale"))))
    coupons = [_coupon(state, c, st) for c in o["coupon_lines"]]
    fees = [
        T.FeeItem(
            f["id"],
            f["_amount"],
            tax_rates_for(state, f["tax_class"]) if f["tax_status"] == "taxable" else (),
        )
        for f in o["fee_lines"]
    ]
    goods = T.calculate(lines, st, coupons)  # the goods' totals, which a split shipping tax follows
    shipping = [T.ShippingItem(s["id"], _shipping_parts(state, s, lines, goods)) for s in o["shipping_lines"]]
    t = T.calculate(lines, st, coupons, fees, shipping)

    for item, r in zip(o["line_items"], t.lines, strict=True):
        item.update(
            subtotal=R.money(r.subtotal),
            subtotal_tax=R.money(r.subtotal_tax),
            total=R.money(r.total),
            total_tax=R.money(r.total_tax),
            taxes=_taxes_json(r.total_taxes, r.subtotal_taxes),
            price=(r.total / item["quantity"]) if item["quantity"] else Decimal(0),  # get_total() / quantity
        )
    for f, fr in zip(o["fee_lines"], t.fees, strict=True):
        f.update(total=R.money(fr.total), total_tax=R.money(fr.total_tax), taxes=_taxes_json(fr.taxes, None))
    for s, sr in zip(o["shipping_lines"], t.shipping, strict=True):
        s.update(total=R.money(sr.total), total_tax=R.money(sr.total_tax), taxes=_taxes_json(sr.taxes, None))
    for c, cr in zip(o["coupon_lines"], t.coupons, strict=True):
        c.update(discount=R.money(cr.discount), discount_tax=R.money(cr.discount_tax))
    existing = {t["rate_id"]: t for t in o.get("tax_lines", [])}
    tax_lines = []
    for row in t.tax_rows:
        prev = existing.get(row.rate_id)
        rate = state.tax_rates.get(row.rate_id) or (prev or {}).get("_rate") or DELETED_RATE
        tax_lines.append(
            {
                "id": prev["id"] if prev else state.next_item_id(),
                "rate_code": f"{rate['country'] or 'FI'}-{rate['name'].upper()}-{rate['priority']}",
                "rate_id": row.rate_id,
                "label": rate["name"],
                "compound": rate["compound"],
                "tax_total": R.money(row.tax_total),
                "shipping_tax_total": R.money(row.shipping_tax_total),
                "_rate": dict(rate),
            }
        )
    o["tax_lines"] = tax_lines
    o["discount_total"] = R.money(t.discount_total)
    o["discount_tax"] = R.money(t.discount_tax)
    o["shipping_total"] = R.money(t.shipping_total)
    o["shipping_tax"] = R.money(t.shipping_tax)
    o["cart_tax"] = R.money(t.cart_tax)
    o["total_tax"] = R.money(t.total_tax)
    o["total"] = R.money(t.total)


def _shipping_parts(
    state: ShopState, s: dict, lines: list[T.LineItem], goods: T.OrderTotals
) -> tuple[T.ShippingPart, ...]:
    """The (net cost, rates) parts of a shipping line: the standard rate, or with ``shipping_tax_split``
    the goods' rates in proportion to the goods' totals (as Finnish VAT has it: shipping follows
    the goods; WooCommerce does this with a tax plugin)."""
    cost = s["_cost"]
    if not s.get("_taxable", True):
        return (T.ShippingPart(cost),)
    by_rates: dict[tuple[T.TaxRate, ...], Decimal] = {}
    for li, r in zip(lines, goods.lines, strict=True):
        if li.rates:
            by_rates[li.rates] = by_rates.get(li.rates, T.ZERO) + T.round_price(r.total)
    total = sum(by_rates.values(), T.ZERO)
    if not state.settings.get("shipping_tax_split") or len(by_rates) < 2 or not total:
        return (T.ShippingPart(cost, tax_rates_for(state, "")),)
    ordered = sorted(by_rates.items(), key=lambda x: -sum((r.rate for r in x[0]), T.ZERO))
    parts, left = [], cost
    for rates, amount in ordered[:-1]:
        part = R.r2(cost * amount / total)
        parts.append(T.ShippingPart(part, rates))
        left -= part
    parts.append(T.ShippingPart(left, ordered[-1][0]))
    return tuple(parts)


def _gateway_title(state: ShopState, gateway_id: str) -> str:
    g = state.gateways.get(gateway_id)
    if not g:
        return ""
    return g["settings"].get("title", {}).get("value", g["method_title"])


def add_note(
    state: ShopState, o: dict, note: str, customer_note: bool = False, author: str = "WooCommerce"
) -> dict:
    n = {
        "id": state.next_note_id(),
        "author": author,
        "_created": state.now(),
        "note": note,
        "customer_note": customer_note,
    }
    state.notes[o["id"]].append(n)
    return n


def _apply_status(state: ShopState, o: dict, new: str, note: bool = True) -> bool:
    """Set status with WooCommerce side effects; returns True when it changed."""
    old = o["status"]
    if new == old:
        return False
    if new not in ORDER_STATUSES:
        raise invalid_param("status", f"status is not one of {', '.join(ORDER_STATUSES)}.")
    o["status"] = new
    now = state.now()
    if new in PAID_STATUSES and o.get("_paid") is None:
        o["_paid"] = now
    if new == "completed":
        o["_completed"] = now
    if new in STOCK_REDUCING and not o.get("_stock_reduced"):
        _reduce_stock(state, o)
    if new in ("cancelled", "pending") and o.get("_stock_reduced"):
        _restore_stock(state, o)
    if note:
        add_note(state, o, f"Order status changed from {_label(old)} to {_label(new)}.")
    return True


def _label(status: str) -> str:
    return {"on-hold": "On hold"}.get(status, status.capitalize())


def _stock_target(state: ShopState, item: dict) -> dict | None:
    if item["variation_id"] and item["variation_id"] in state.variations:
        v = state.variations[item["variation_id"]]
        if v.get("manage_stock"):
            return v
        return state.products.get(item["product_id"])  # stock managed at parent level
    return state.products.get(item["product_id"])


def _reduce_stock(state: ShopState, o: dict) -> None:
    notes = []
    for item in o["line_items"]:
        target = _stock_target(state, item)
        if target is None:
            continue
        p = state.products.get(item["product_id"])
        if p is not None:
            p["total_sales"] = p.get("total_sales", 0) + item["quantity"]
        if target.get("manage_stock"):
            before = int(target.get("stock_quantity") or 0)
            catalog.change_stock(state, target, -item["quantity"])
            item["_reduced"] = item["quantity"]
            notes.append(
                f"{item['name']} ({item['sku'] or item['product_id']}) {before}&rarr;{before - item['quantity']}"
            )
    o["_stock_reduced"] = True
    if notes:
        add_note(state, o, "Stock levels reduced: " + ", ".join(notes))


def _restore_stock(state: ShopState, o: dict) -> None:
    for item in o["line_items"]:
        qty = item.pop("_reduced", 0)
        target = _stock_target(state, item)
        if qty and target is not None:
            catalog.change_stock(state, target, qty)
    o["_stock_reduced"] = False


def create_order(
    state: ShopState, data: dict, created_via: str = "rest-api", fire: bool = True, reduce_stock: bool = True
) -> dict:
    """POST /orders and checkout (control API / seed)."""
    if not isinstance(data, dict):
        raise ApiError(400, "rest_invalid_json", "Invalid JSON body passed.")
    status = data.get("status", "pending")
    if status not in ORDER_STATUSES:
        raise invalid_param("status", f"status is not one of {', '.join(ORDER_STATUSES)}.")
    now = state.now()
    created = now
    if data.get("date_created"):
        created = state.parse_date(data["date_created"], gmt=False)
    elif data.get("date_created_gmt"):
        created = state.parse_date(data["date_created_gmt"], gmt=True)
    o: dict[str, Any] = {
        "id": None,
        "parent_id": data.get("parent_id", 0),
        "order_key": "wc_order_" + secrets.token_hex(7)[:13],
        "created_via": created_via,
        "version": state.settings["wc_version"],
        "status": "pending",
        "currency": data.get("currency", state.settings["currency"]),
        "_created": created,
        "_modified": created,
        "prices_include_tax": bool(state.settings["prices_include_tax"]),
        "customer_id": data.get("customer_id", 0),
        "customer_ip_address": data.get(
            "customer_ip_address", "127.0.0.1" if created_via == "checkout" else ""
        ),
        "customer_user_agent": data.get("customer_user_agent", ""),
        "customer_note": data.get("customer_note", ""),
        "billing": _address(data.get("billing"), True),
        "shipping": _address(data.get("shipping") or data.get("billing"), False),
        "payment_method": data.get("payment_method", ""),
        "payment_method_title": data.get("payment_method_title")
        or _gateway_title(state, data.get("payment_method", "")),
        "transaction_id": data.get("transaction_id", ""),
        "_paid": None,
        "_completed": None,
        "cart_hash": secrets.token_hex(16) if created_via == "checkout" else "",
        "meta_data": [],
        "line_items": [_build_line(state, li) for li in data.get("line_items", [])],
        "shipping_lines": [_build_shipping(state, s) for s in data.get("shipping_lines", [])],
        "fee_lines": [_build_fee(state, f) for f in data.get("fee_lines", [])],
        "coupon_lines": [],
        "tax_lines": [],
        "_refund_ids": [],
    }
    for c in data.get("coupon_lines", []):
        code = str(c.get("code", "")).lower()
        if code not in state.coupons:
            raise ApiError(400, "woocommerce_rest_invalid_coupon", f'Coupon "{code}" does not exist!')
        o["coupon_lines"].append({"id": state.next_item_id(), "code": code, "meta_data": []})
    if "meta_data" in data:
        catalog.apply_meta(state, o, data["meta_data"])
    recalculate(state, o)
    o["id"] = state.next_id()
    state.orders[o["id"]] = o
    if not reduce_stock:
        o["_stock_reduced"] = True  # historical order: stock already reflects it
    if data.get("set_paid"):
        o["_paid"] = now
        if status == "pending":
            status = "processing"
    _apply_status(state, o, status, note=status != "pending")
    if status == "completed" and data.get("date_completed"):
        o["_completed"] = state.parse_date(data["date_completed"])
    state.bump("orders_created")
    if fire:
        _emit(state, "order.created", o["id"])
    return o


def get_order(state: ShopState, oid: int) -> dict:
    o = state.orders.get(oid)
    if o is None:
        raise invalid_id("shop_order")
    return o


def update_order(state: ShopState, oid: int, data: dict) -> dict:
    o = get_order(state, oid)
    if not isinstance(data, dict):
        raise ApiError(400, "rest_invalid_json", "Invalid JSON body passed.")
    if "status" in data and data["status"] not in ORDER_STATUSES:
        raise invalid_param("status", f"status is not one of {', '.join(ORDER_STATUSES)}.")
    for key in ("customer_note", "transaction_id", "payment_method", "payment_method_title", "currency"):
        if key in data:
            o[key] = str(data[key])
    if "payment_method" in data and "payment_method_title" not in data:
        o["payment_method_title"] = _gateway_title(state, data["payment_method"])
    if "customer_id" in data:
        o["customer_id"] = int(data["customer_id"])
    for key in ("billing", "shipping"):
        if key in data and isinstance(data[key], dict):
            merged = dict(o[key])
            merged.update({k: str(v) for k, v in data[key].items() if k in merged})
            o[key] = merged
    if "meta_data" in data:
        catalog.apply_meta(state, o, data["meta_data"])
    if "line_items" in data:
        _update_lines(state, o, data["line_items"])
    if "shipping_lines" in data:
        o["shipping_lines"] = [
            _build_shipping(state, s) for s in data["shipping_lines"] if s.get("method_id") is not None
        ]
        recalculate(state, o)
    if "fee_lines" in data:
        o["fee_lines"] = [_build_fee(state, f) for f in data["fee_lines"] if f.get("name") is not None]
        recalculate(state, o)
    if data.get("set_paid"):
        o["_paid"] = o.get("_paid") or state.now()
        if data.get("status", o["status"]) in ("pending", "on-hold", "failed"):
            data = dict(data, status="processing")
    if "status" in data:
        _apply_status(state, o, data["status"])
    o["_modified"] = state.now()
    state.bump("orders_updated")
    _emit(state, "order.updated", oid)
    return o


def _update_lines(state: ShopState, o: dict, items: list) -> None:
    by_id = {i["id"]: i for i in o["line_items"]}
    for li in items:
        if li.get("id") in by_id:
            cur = by_id[li["id"]]
            if li.get("quantity") == 0 or li.get("product_id") is None and "product_id" in li:
                o["line_items"].remove(cur)
                continue
            if "quantity" in li:
                cur["quantity"] = int(li["quantity"])
            if "price" in li:
                cur["_unit"] = R.dec(li["price"])
        else:
            o["line_items"].append(_build_line(state, li))
    recalculate(state, o)


def delete_order(state: ShopState, oid: int, force: bool) -> dict:
    o = get_order(state, oid)
    if not force:
        _apply_status(state, o, "trash", note=False)
    else:
        del state.orders[oid]
    _emit(state, "order.deleted", oid)
    return o


# ---------------------------------------------------------------------- refunds
def refunded_total(state: ShopState, o: dict) -> Decimal:
    return sum(
        (R.dec(state.refunds[r]["amount"]) for r in o.get("_refund_ids", []) if r in state.refunds),
        Decimal(0),
    )


def _refund_item(state: ShopState, o: dict, kind: str, src: dict, li: dict) -> dict:
    """A refunded copy of an order item with negated amounts (wc_create_refund): ``refund_total`` excludes
    tax, ``refund_tax`` is per tax rate id; product lines carry the refunded quantity."""
    total = R.dec(li.get("refund_total", 0))
    refund_tax = {
        int(t.get("id", 0)): R.dec(t.get("refund_total", 0)) for t in li.get("refund_tax", []) or []
    }
    taxes = {rid: -t for rid, t in refund_tax.items()}
    total_tax = T.line_tax(taxes, order_settings(state, o))
    meta = [{"id": state.next_meta_id(), "key": "_refunded_item_id", "value": str(src["id"])}]
    item: dict[str, Any] = {
        "id": state.next_item_id(),
        "total": R.money(-total),
        "total_tax": R.money(total_tax),
        "meta_data": meta,
    }
    if kind == "shipping_lines":
        item.update(
            method_title=src["method_title"],
            method_id=src["method_id"],
            _instance_id=src.get("_instance_id"),
            taxes=_taxes_json(taxes, None),
        )
        return item
    if kind == "fee_lines":
        item.update(
            name=src["name"],
            tax_class=src["tax_class"],
            tax_status=src["tax_status"],
            taxes=_taxes_json(taxes, None),
        )
        return item
    qty = int(li.get("quantity", 0) or 0)
    item.update(
        name=src["name"],
        product_id=src["product_id"],
        variation_id=src["variation_id"],
        quantity=-qty,
        tax_class=src["tax_class"],
        subtotal=R.money(-total),
        subtotal_tax=R.money(total_tax),
        taxes=_taxes_json(taxes, taxes),
        sku=src["sku"],
        price=(-total / qty) if qty else -total,
        _restock=qty,
        _src=src,
    )
    return item


def create_refund(state: ShopState, oid: int, data: dict) -> dict:
    o = get_order(state, oid)
    if not isinstance(data, dict):
        raise ApiError(400, "rest_invalid_json", "Invalid JSON body passed.")
    # wc_create_refund: the refund's line_items may name product, shipping and fee items alike.
    kinds = {i["id"]: ("line_items", i) for i in o["line_items"]}
    kinds.update({i["id"]: ("shipping_lines", i) for i in o["shipping_lines"]})
    kinds.update({i["id"]: ("fee_lines", i) for i in o["fee_lines"]})
    refunded: dict[str, list[dict]] = {"line_items": [], "shipping_lines": [], "fee_lines": []}
    line_sum = Decimal(0)
    for li in data.get("line_items", []) or []:
        try:
            kind, src = kinds[int(li.get("id"))]
        except (TypeError, ValueError, KeyError):
            raise ApiError(
                400, "woocommerce_rest_cannot_create_order_refund", "Invalid line item ID."
            ) from None
        item = _refund_item(state, o, kind, src, li)
        line_sum += -R.dec(item["total"]) - sum((R.dec(t["total"]) for t in item["taxes"]), Decimal(0))
        refunded[kind].append(item)
    lines = refunded["line_items"]
    # wc_create_refund compares and stores the amount at the price decimals (half up)
    amount = R.r2(R.dec(data["amount"]) if data.get("amount") not in (None, "") else line_sum)
    remaining = R.dec(o["total"]) - refunded_total(state, o)
    if amount <= 0:
        raise ApiError(
            400, "woocommerce_rest_cannot_create_order_refund", "Refund amount must be greater than zero."
        )
    if amount > remaining:
        raise ApiError(
            500, "woocommerce_rest_cannot_create_order_refund", "Invalid refund amount."
        )  # WooCommerce answers 500 here
    api_refund = data.get("api_refund", True)
    gateway = state.gateways.get(o.get("payment_method", ""))
    if api_refund:
        if gateway is None or "refunds" not in gateway["method_supports"]:
            raise ApiError(
                500,
                "woocommerce_rest_cannot_create_order_refund",
                "The payment gateway for this order does not support automatic refunds.",
            )
    r = {
        "id": state.next_id(),
        "order_id": oid,
        "_created": state.now(),
        "amount": f"{amount:.2f}",
        "reason": str(data.get("reason", "") or ""),
        "refunded_by": int(data.get("refunded_by", 1) or 1),
        "refunded_payment": bool(api_refund),
        "meta_data": [],
        "line_items": lines,
        "shipping_lines": refunded["shipping_lines"],
        "fee_lines": refunded["fee_lines"],
    }
    if "meta_data" in data:
        catalog.apply_meta(state, r, data["meta_data"])
    if data.get("api_restock", True):
        for line in lines:
            target = _stock_target(state, line["_src"])
            if line["_restock"] and target is not None and target.get("manage_stock"):
                catalog.change_stock(state, target, line["_restock"])
    for line in lines:
        line.pop("_src", None)
    state.refunds[r["id"]] = r
    o["_refund_ids"].append(r["id"])
    add_note(state, o, f"Refunded {amount:.2f} &euro;" + (f" – {r['reason']}" if r["reason"] else "") + ".")
    if refunded_total(state, o) >= R.dec(o["total"]):
        _apply_status(state, o, "refunded")
    o["_modified"] = state.now()
    state.bump("refunds_created")
    _emit(state, "order.updated", oid)
    return r


def get_refund(state: ShopState, oid: int, rid: int) -> dict:
    o = get_order(state, oid)
    if rid not in o.get("_refund_ids", []) or rid not in state.refunds:
        raise ApiError(404, "woocommerce_rest_invalid_id", "Invalid ID.")
    return state.refunds[rid]


def delete_refund(state: ShopState, oid: int, rid: int, force: bool) -> dict:
    r = get_refund(state, oid, rid)
    if not force:
        raise ApiError(501, "woocommerce_rest_trash_not_supported", "Refunds do not support trashing.")
    o = state.orders[oid]
    o["_refund_ids"].remove(rid)
    del state.refunds[rid]
    return r
