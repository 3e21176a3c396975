"""Orders, refunds and order notes (call with ``state.lock`` held).

Totals follow WooCommerce: line ``subtotal``/``total`` exclude tax; with
``prices_include_tax`` the catalogue price is gross and the tax is extracted.
Stock is reduced when an order reaches processing / on-hold / completed and
restored when it is cancelled (``_order_stock_reduced`` in WooCommerce).
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from . import catalog
from . import resources as R
from .errors import ApiError, invalid_id, invalid_param
from .state import ShopState

ORDER_STATUSES = ("pending", "processing", "on-hold", "completed", "cancelled", "refunded", "failed", "trash")
STOCK_REDUCING = ("processing", "on-hold", "completed")
PAID_STATUSES = ("processing", "completed")

# Coupons known to the sandbox shop: code -> (discount_type, amount)
COUPONS = {"ale10": ("percent", Decimal("10")), "kesa5": ("fixed_cart", Decimal("5"))}

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
def tax_rate_for(state: ShopState, tax_class: str) -> dict | None:
    if not state.settings["calc_taxes"]:
        return None
    slug = tax_class or "standard"
    for r in sorted(state.tax_rates.values(), key=lambda r: (r["order"], r["id"])):
        if r["class"] == slug and r["country"] in ("", state.settings["tax_country"]):
            return r
    return None


def _split(gross_or_net: Decimal, rate: dict | None, includes_tax: bool) -> tuple[Decimal, Decimal]:
    """(net, tax) of an amount."""
    if rate is None:
        return R.r2(gross_or_net), Decimal("0")
    pct = R.dec(rate["rate"])
    if includes_tax:
        tax = R.r2(gross_or_net * pct / (Decimal(100) + pct))
        return R.r2(gross_or_net) - tax, tax
    net = R.r2(gross_or_net)
    return net, R.r2(net * pct / Decimal(100))


def _tax_entry(rate: dict | None, total: Decimal, subtotal: Decimal | None) -> list[dict]:
    if rate is None:
        return []
    return [
        {"id": rate["id"], "total": f"{total:.2f}", "subtotal": "" if subtotal is None else f"{subtotal:.2f}"}
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
    if not isinstance(qty, int) or isinstance(qty, bool) or qty <= 0:
        raise invalid_param("line_items", "quantity must be a positive integer.")
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


def recalculate(state: ShopState, o: dict) -> None:
    """Compute every line and order total from the stored unit prices (WC calculate_totals)."""
    incl = bool(o.get("prices_include_tax"))
    tax_totals: dict[int, dict] = {}

    def add_tax(rate: dict | None, amount: Decimal, shipping: bool) -> None:
        if rate is None:
            return
        t = tax_totals.setdefault(rate["id"], {"rate": rate, "tax": Decimal(0), "ship": Decimal(0)})
        t["ship" if shipping else "tax"] += amount

    # coupons: percent / fixed_cart, applied to line subtotals
    subtotal_sum = Decimal(0)
    lines = []
    for item in o["line_items"]:
        rate = tax_rate_for(state, item["tax_class"]) if item["_taxable"] else None
        net, tax = _split(item["_unit"] * item["quantity"], rate, incl)
        lines.append((item, rate, net, tax))
        subtotal_sum += net
    discount_total = Decimal(0)
    for c in o["coupon_lines"]:
        kind, amount = COUPONS.get(c["code"].lower(), ("fixed_cart", Decimal(0)))
        c["_type"] = kind
        c["_amount"] = amount
    pct = sum((c["_amount"] for c in o["coupon_lines"] if c["_type"] == "percent"), Decimal(0))
    fixed = sum((c["_amount"] for c in o["coupon_lines"] if c["_type"] == "fixed_cart"), Decimal(0))
    cart_tax = Decimal(0)
    discount_tax = Decimal(0)
    for item, rate, net, tax in lines:
        share = (net / subtotal_sum) if subtotal_sum else Decimal(0)
        disc = R.r2(net * pct / Decimal(100) + fixed * share)
        disc = min(disc, net)
        total = net - disc
        total_tax = tax if disc == 0 or not net else R.r2(tax * total / net)
        item.update(
            subtotal=f"{net:.2f}",
            subtotal_tax=f"{tax:.2f}",
            total=f"{total:.2f}",
            total_tax=f"{total_tax:.2f}",
            taxes=_tax_entry(rate, total_tax, tax),
            price=(net / item["quantity"]) if item["quantity"] else Decimal(0),
        )
        discount_total += disc
        discount_tax += tax - total_tax
        cart_tax += total_tax
        add_tax(rate, total_tax, False)
    for c in o["coupon_lines"]:
        c["discount"] = f"{discount_total:.2f}" if len(o["coupon_lines"]) == 1 else c.get("discount", "0.00")
        c["discount_tax"] = (
            f"{discount_tax:.2f}" if len(o["coupon_lines"]) == 1 else c.get("discount_tax", "0.00")
        )
    fee_total = Decimal(0)
    for f in o["fee_lines"]:
        rate = tax_rate_for(state, f["tax_class"]) if f["tax_status"] == "taxable" else None
        net, tax = _split(f["_amount"], rate, False)
        f.update(total=f"{net:.2f}", total_tax=f"{tax:.2f}", taxes=_tax_entry(rate, tax, None))
        fee_total += net
        cart_tax += tax
        add_tax(rate, tax, False)
    ship_total = Decimal(0)
    ship_tax = Decimal(0)
    goods_by_rate: dict[int, tuple[dict, Decimal]] = {}
    for item, rate, _, _ in lines:
        if rate is not None:
            prev = goods_by_rate.get(rate["id"], (rate, Decimal(0)))
            goods_by_rate[rate["id"]] = (rate, prev[1] + R.dec(item["total"]))
    for s in o["shipping_lines"]:
        parts = _shipping_parts(state, s, goods_by_rate)
        entries, net_sum, tax_sum = [], Decimal(0), Decimal(0)
        for rate, part in parts:
            net, tax = _split(part, rate, False)
            entries += _tax_entry(rate, tax, None)
            net_sum, tax_sum = net_sum + net, tax_sum + tax
            add_tax(rate, tax, True)
        s.update(total=f"{net_sum:.2f}", total_tax=f"{tax_sum:.2f}", taxes=entries)
        ship_total += net_sum
        ship_tax += tax_sum
    items_total = sum((R.dec(i["total"]) for i in o["line_items"]), Decimal(0))
    existing = {t["rate_id"]: t for t in o.get("tax_lines", [])}
    tax_lines = []
    for rid, t in sorted(tax_totals.items()):
        rate = t["rate"]
        prev = existing.get(rid)
        tax_lines.append(
            {
                "id": prev["id"] if prev else state.next_item_id(),
                "rate_code": f"{rate['country'] or 'FI'}-{rate['name'].upper()}-{rate['priority']}",
                "rate_id": rid,
                "label": rate["name"],
                "compound": rate["compound"],
                "tax_total": f"{t['tax']:.2f}",
                "shipping_tax_total": f"{t['ship']:.2f}",
            }
        )
    o["tax_lines"] = tax_lines
    o["discount_total"] = f"{discount_total:.2f}"
    o["discount_tax"] = f"{discount_tax:.2f}"
    o["shipping_total"] = f"{ship_total:.2f}"
    o["shipping_tax"] = f"{ship_tax:.2f}"
    o["cart_tax"] = f"{cart_tax:.2f}"
    o["total_tax"] = f"{cart_tax + ship_tax:.2f}"
    o["total"] = f"{items_total + cart_tax + fee_total + ship_total + ship_tax:.2f}"


def _shipping_parts(state: ShopState, s: dict, goods_by_rate: dict) -> list[tuple[dict | None, Decimal]]:
    """(rate, net cost) parts of a shipping line: the standard rate, or with ``shipping_tax_split``
    the goods' rates in proportion to the goods' totals (as Finnish VAT has it: shipping follows
    the goods; WooCommerce does this with a tax plugin)."""
    cost = s["_cost"]
    if not s.get("_taxable", True):
        return [(None, cost)]
    total = sum((amount for _, amount in goods_by_rate.values()), Decimal(0))
    if not state.settings.get("shipping_tax_split") or len(goods_by_rate) < 2 or not total:
        return [(tax_rate_for(state, ""), cost)]
    parts, left = [], cost
    ordered = sorted(goods_by_rate.values(), key=lambda x: -R.dec(x[0]["rate"]))
    for rate, amount in ordered[:-1]:
        part = R.r2(cost * amount / total)
        parts.append((rate, part))
        left -= part
    parts.append((ordered[-1][0], left))
    return parts


def _gateway_title(state: ShopState, gateway_id: str) -> str:
    g = state.gateways.get(gateway_id)
    if not g:
        return ""
    return g["settings"].get("title", {}).get("value", g["method_title"])


def add_note(
    state: ShopState, o: dict, note: str, customer_note: bool = False, author: str = "WooCommerce"
) -> dict:
    n = {"id": state.next_note_id(), "author": author, "_created": state.now(), "note": note,
         "customer_note": customer_note}  # fmt: skip
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
        if code not in COUPONS:
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


def create_refund(state: ShopState, oid: int, data: dict) -> dict:
    o = get_order(state, oid)
    if not isinstance(data, dict):
        raise ApiError(400, "rest_invalid_json", "Invalid JSON body passed.")
    items_by_id = {i["id"]: i for i in o["line_items"]}
    lines: list[dict] = []
    line_sum = Decimal(0)
    for li in data.get("line_items", []) or []:
        try:
            src = items_by_id[int(li.get("id"))]
        except (TypeError, ValueError, KeyError):
            raise ApiError(
                400, "woocommerce_rest_cannot_create_order_refund", "Invalid line item ID."
            ) from None
        qty = int(li.get("quantity", 0) or 0)
        total = R.dec(li.get("refund_total", 0))
        tax = sum((R.dec(t.get("refund_total", 0)) for t in li.get("refund_tax", []) or []), Decimal(0))
        line_sum += total + tax
        lines.append(
            {
                "id": state.next_item_id(),
                "name": src["name"],
                "product_id": src["product_id"],
                "variation_id": src["variation_id"],
                "quantity": -qty,
                "tax_class": src["tax_class"],
                "subtotal": f"{-total:.2f}",
                "subtotal_tax": f"{-tax:.2f}",
                "total": f"{-total:.2f}",
                "total_tax": f"{-tax:.2f}",
                "taxes": [
                    {
                        "id": int(t.get("id", 0)),
                        "total": f"{-R.dec(t.get('refund_total', 0)):.2f}",
                        "subtotal": f"{-R.dec(t.get('refund_total', 0)):.2f}",
                    }
                    for t in li.get("refund_tax", []) or []
                ],  # fmt: skip
                "meta_data": [
                    {"id": state.next_meta_id(), "key": "_refunded_item_id", "value": str(src["id"])}
                ],
                "sku": src["sku"],
                "price": (-total / qty) if qty else -total,
                "_restock": qty,
                "_src": src,
            }
        )
    amount = R.dec(data["amount"]) if data.get("amount") not in (None, "") else line_sum
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
