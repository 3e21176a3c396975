"""Pure builders: internal records → REST API v3 JSON, in the reference's shapes.

Every key emitted here is a documented property of its resource (or ``_links``,
which every reference example carries). Money is a string with two decimals.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from .state import ShopState

API = "/wp-json/wc/v3"
D0 = Decimal("0")
CENT = Decimal("0.01")


# ---------------------------------------------------------------------- money
def dec(value: Any) -> Decimal:
    if value is None or value == "":
        return D0
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return D0


def r2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def money(value: Any) -> str:
    return f"{r2(dec(value)):.2f}"


def is_number(value: Any) -> bool:
    if value is None or isinstance(value, bool):
        return False
    try:
        Decimal(str(value))
        return True
    except InvalidOperation:
        return False


def _links(base: str, self_path: str, collection_path: str, **extra: str) -> dict:
    out = {
        "self": [{"href": base + API + self_path}],
        "collection": [{"href": base + API + collection_path}],
    }
    for rel, path in extra.items():
        out[rel] = [{"href": base + API + path}]
    return out


def _meta(rec: dict) -> list[dict]:
    return [{"id": m["id"], "key": m["key"], "value": m["value"]} for m in rec.get("meta_data", [])]


def _dates(state: ShopState, out: dict, name: str, dt: datetime | None) -> None:
    out[name] = state.local(dt)
    out[name + "_gmt"] = state.gmt(dt)


def _image(state: ShopState, img: dict) -> dict:
    out: dict[str, Any] = {"id": img["id"]}
    _dates(state, out, "date_created", img["_created"])
    _dates(state, out, "date_modified", img["_modified"])
    out["src"] = img["src"]
    out["name"] = img.get("name", "")
    out["alt"] = img.get("alt", "")
    return out


# ---------------------------------------------------------------------- prices
def sale_active(state: ShopState, rec: dict) -> bool:
    if rec.get("sale_price", "") == "":
        return False
    now = state.now()
    start, end = rec.get("_sale_from"), rec.get("_sale_to")
    if start and now < start:
        return False
    if end and now > end:
        return False
    if rec.get("regular_price", "") != "" and dec(rec["sale_price"]) >= dec(rec["regular_price"]):
        return False
    return True


def current_price(state: ShopState, rec: dict) -> str:
    if sale_active(state, rec):
        return rec["sale_price"]
    return rec.get("regular_price", "")


def variable_prices(state: ShopState, product: dict) -> list[str]:
    out = []
    for vid in product.get("_variation_ids", []):
        v = state.variations.get(vid)
        if v and v.get("status") == "publish":
            p = current_price(state, v)
            if p != "":
                out.append(p)
    return out


def product_price(state: ShopState, rec: dict) -> str:
    if rec["type"] == "variable":
        prices = variable_prices(state, rec)
        return min(prices, key=dec) if prices else ""
    if rec["type"] == "grouped":
        return ""
    return current_price(state, rec)


def price_html(state: ShopState, amount: str) -> str:
    if amount == "":
        return ""
    symbol = {"EUR": "&euro;", "USD": "&#36;", "GBP": "&pound;", "SEK": "kr", "NOK": "kr", "DKK": "kr."}.get(
        state.settings["currency"], state.settings["currency"]
    )
    num = money(amount).replace(".", ",")
    return (
        '<span class="woocommerce-Price-amount amount"><bdi>'
        f'{num}&nbsp;<span class="woocommerce-Price-currencySymbol">{symbol}</span></bdi></span>'
    )


def stock_fields(rec: dict) -> dict:
    manage = bool(rec.get("manage_stock"))
    backorders = rec.get("backorders", "no")
    return {
        "manage_stock": manage,
        "stock_quantity": rec.get("stock_quantity") if manage else None,
        "stock_status": rec.get("stock_status", "instock"),
        "backorders": backorders,
        "backorders_allowed": backorders in ("yes", "notify"),
        "backordered": rec.get("stock_status") == "onbackorder",
    }


def derive_stock_status(rec: dict) -> None:
    """Keep ``stock_status`` consistent with a managed ``stock_quantity`` (as WooCommerce does)."""
    if rec.get("manage_stock"):
        qty = rec.get("stock_quantity")
        qty = 0 if qty is None else int(qty)
        rec["stock_quantity"] = qty
        if qty > 0:
            rec["stock_status"] = "instock"
        elif rec.get("backorders", "no") in ("yes", "notify"):
            rec["stock_status"] = "onbackorder"
        else:
            rec["stock_status"] = "outofstock"
    else:
        rec["stock_quantity"] = None


# ---------------------------------------------------------------------- products
def category_json(state: ShopState, c: dict) -> dict:
    known = state.categories.get(c.get("id"))
    if known:
        return {"id": known["id"], "name": known["name"], "slug": known["slug"]}
    return {"id": c.get("id", 0), "name": c.get("name", ""), "slug": c.get("slug", "")}


def product_json(state: ShopState, rec: dict, base: str) -> dict:
    pid = rec["id"]
    price = product_price(state, rec)
    is_variable = rec["type"] == "variable"
    on_sale = (
        any(
            sale_active(state, state.variations[v])
            for v in rec.get("_variation_ids", [])
            if v in state.variations
        )
        if is_variable
        else sale_active(state, rec)
    )
    taxable = rec.get("tax_status", "taxable") in ("taxable", "shipping")
    out: dict[str, Any] = {
        "id": pid,
        "name": rec["name"],
        "slug": rec["slug"],
        "permalink": f"{base}/product/{rec['slug']}/",
    }
    _dates(state, out, "date_created", rec["_created"])
    _dates(state, out, "date_modified", rec["_modified"])
    out.update(
        {
            "type": rec["type"],
            "status": rec["status"],
            "featured": rec.get("featured", False),
            "catalog_visibility": rec.get("catalog_visibility", "visible"),
            "description": rec.get("description", ""),
            "short_description": rec.get("short_description", ""),
            "sku": rec.get("sku", ""),
            "price": price,
            "regular_price": "" if is_variable else rec.get("regular_price", ""),
            "sale_price": "" if is_variable else rec.get("sale_price", ""),
        }
    )
    _dates(state, out, "date_on_sale_from", rec.get("_sale_from"))
    _dates(state, out, "date_on_sale_to", rec.get("_sale_to"))
    out.update(
        {
            "price_html": price_html(state, price),
            "on_sale": on_sale,
            "purchasable": price != "" and rec["status"] == "publish",
            "total_sales": rec.get("total_sales", 0),
            "virtual": rec.get("virtual", False),
            "downloadable": rec.get("downloadable", False),
            "downloads": [dict(d) for d in rec.get("downloads", [])],
            "download_limit": rec.get("download_limit", -1),
            "download_expiry": rec.get("download_expiry", -1),
            "external_url": rec.get("external_url", ""),
            "button_text": rec.get("button_text", ""),
            "tax_status": rec.get("tax_status", "taxable"),
            "tax_class": rec.get("tax_class", ""),
        }
    )
    out.update(stock_fields(rec))
    out.update(
        {
            "sold_individually": rec.get("sold_individually", False),
            "weight": rec.get("weight", ""),
            "dimensions": dict(rec.get("dimensions") or {"length": "", "width": "", "height": ""}),
            "shipping_required": not rec.get("virtual", False),
            "shipping_taxable": taxable and not rec.get("virtual", False),
            "shipping_class": rec.get("shipping_class", ""),
            "shipping_class_id": rec.get("shipping_class_id", 0),
            "reviews_allowed": rec.get("reviews_allowed", True),
            "average_rating": rec.get("average_rating", "0.00"),
            "rating_count": rec.get("rating_count", 0),
            "related_ids": list(rec.get("related_ids", [])),
            "upsell_ids": list(rec.get("upsell_ids", [])),
            "cross_sell_ids": list(rec.get("cross_sell_ids", [])),
            "parent_id": rec.get("parent_id", 0),
            "purchase_note": rec.get("purchase_note", ""),
            "categories": [category_json(state, c) for c in rec.get("categories", [])],
            "tags": [dict(t) for t in rec.get("tags", [])],
            "images": [_image(state, i) for i in rec.get("images", [])],
            "attributes": [
                dict(a) if rec["type"] == "variation" else dict(a, options=list(a.get("options", [])))
                for a in rec.get("attributes", [])
            ],
            "default_attributes": [dict(a) for a in rec.get("default_attributes", [])],
            "variations": list(rec.get("_variation_ids", [])) if is_variable else [],
            "grouped_products": list(rec.get("grouped_products", [])),
            "menu_order": rec.get("menu_order", 0),
            "meta_data": _meta(rec),
            "_links": _links(
                base,
                f"/products/{pid}",
                "/products",
                **({"up": f"/products/{rec['parent_id']}"} if rec.get("parent_id") else {}),
            ),
        }
    )
    return out


def variation_as_product_json(state: ShopState, v: dict, base: str) -> dict:
    """A variation as WooCommerce's *products* endpoint shows it (``GET /products/<variation id>``
    and ``product.*`` webhook payloads): the product shape with ``type: "variation"``."""
    parent = state.products.get(v["parent_id"], {})
    opts = ", ".join(a.get("option", "") for a in v.get("attributes", []))
    rec = dict(v)
    rec.update(
        name=f"{parent.get('name', '')} - {opts}" if opts else parent.get("name", ""),
        slug=parent.get("slug", ""),
        type="variation",
        short_description="",
        reviews_allowed=False,
        categories=[],
        tags=[],
        images=[v["image"]] if v.get("image") else [],
        default_attributes=[],
        grouped_products=[],
        _variation_ids=[],
        total_sales=0,
    )
    return product_json(state, rec, base)


def variation_json(state: ShopState, rec: dict, base: str) -> dict:
    vid, parent_id = rec["id"], rec["parent_id"]
    parent = state.products.get(parent_id, {})
    price = current_price(state, rec)
    query = "&".join(
        f"attribute_{a.get('name', '').lower()}={a.get('option', '').lower()}"
        for a in rec.get("attributes", [])
    )
    out: dict[str, Any] = {"id": vid}
    _dates(state, out, "date_created", rec["_created"])
    _dates(state, out, "date_modified", rec["_modified"])
    out.update(
        {
            "description": rec.get("description", ""),
            "permalink": f"{base}/product/{parent.get('slug', '')}/" + (f"?{query}" if query else ""),
            "sku": rec.get("sku", ""),
            "price": price,
            "regular_price": rec.get("regular_price", ""),
            "sale_price": rec.get("sale_price", ""),
        }
    )
    _dates(state, out, "date_on_sale_from", rec.get("_sale_from"))
    _dates(state, out, "date_on_sale_to", rec.get("_sale_to"))
    out.update(
        {
            "on_sale": sale_active(state, rec),
            "status": rec.get("status", "publish"),
            "purchasable": price != "" and rec.get("status", "publish") == "publish",
            "virtual": rec.get("virtual", False),
            "downloadable": rec.get("downloadable", False),
            "downloads": [dict(d) for d in rec.get("downloads", [])],
            "download_limit": rec.get("download_limit", -1),
            "download_expiry": rec.get("download_expiry", -1),
            "tax_status": rec.get("tax_status", "taxable"),
            "tax_class": rec.get("tax_class", ""),
        }
    )
    out.update(stock_fields(rec))
    out.update(
        {
            "weight": rec.get("weight", ""),
            "dimensions": dict(rec.get("dimensions") or {"length": "", "width": "", "height": ""}),
            "shipping_class": rec.get("shipping_class", ""),
            "shipping_class_id": rec.get("shipping_class_id", 0),
            "image": _image(state, rec["image"]) if rec.get("image") else None,
            "attributes": [dict(a) for a in rec.get("attributes", [])],
            "menu_order": rec.get("menu_order", 0),
            "meta_data": _meta(rec),
            "_links": _links(
                base,
                f"/products/{parent_id}/variations/{vid}",
                f"/products/{parent_id}/variations",
                up=f"/products/{parent_id}",
            ),
        }
    )
    return out


# ---------------------------------------------------------------------- orders
def _item_taxes(taxes: list[dict]) -> list[dict]:
    return [{"id": t["id"], "total": t["total"], "subtotal": t["subtotal"]} for t in taxes]


def line_item_json(item: dict, state: ShopState | None = None) -> dict:
    """``state``: an order's line shows the product's SKU as it is now, as WooCommerce does (the line item
    reads ``$product->get_sku()`` when the response is made); the SKU kept at purchase is used once the product
    is gone."""
    sku = item["sku"]
    if state is not None:
        product = state.variations.get(item["variation_id"]) or state.products.get(item["product_id"])
        sku = product.get("sku", "") if product is not None else sku
    return {
        "id": item["id"],
        "name": item["name"],
        "product_id": item["product_id"],
        "variation_id": item["variation_id"],
        "quantity": item["quantity"],
        "tax_class": item["tax_class"],
        "subtotal": item["subtotal"],
        "subtotal_tax": item["subtotal_tax"],
        "total": item["total"],
        "total_tax": item["total_tax"],
        "taxes": _item_taxes(item["taxes"]),
        "meta_data": _meta(item),
        "sku": sku,
        # The reference's example shows a JSON number here (its property table says string).
        "price": float(item["price"]),
    }


def _shipping_line(state: ShopState, s: dict) -> dict:
    out: dict[str, Any] = {"id": s["id"], "method_title": s["method_title"], "method_id": s["method_id"]}
    if state.settings.get("shipping_line_instance_id"):
        out["instance_id"] = str(s.get("_instance_id") or 0)  # as recent WooCommerce (a string)
    out.update(total=s["total"], total_tax=s["total_tax"], taxes=_item_taxes(s["taxes"]), meta_data=_meta(s))
    return out


def fee_line_json(f: dict) -> dict:
    return {
        "id": f["id"],
        "name": f["name"],
        "tax_class": f["tax_class"],
        "tax_status": f["tax_status"],
        "total": f["total"],
        "total_tax": f["total_tax"],
        "taxes": _item_taxes(f["taxes"]),
        "meta_data": _meta(f),
    }


def order_json(state: ShopState, o: dict, base: str) -> dict:
    oid = o["id"]
    out: dict[str, Any] = {
        "id": oid,
        "parent_id": o.get("parent_id", 0),
        "number": str(oid),
        "order_key": o["order_key"],
        "created_via": o.get("created_via", "checkout"),
        "version": o.get("version", state.settings["wc_version"]),
        "status": o["status"],
        "currency": o.get("currency", state.settings["currency"]),
    }
    _dates(state, out, "date_created", o["_created"])
    _dates(state, out, "date_modified", o["_modified"])
    out.update(
        {
            "discount_total": o["discount_total"],
            "discount_tax": o["discount_tax"],
            "shipping_total": o["shipping_total"],
            "shipping_tax": o["shipping_tax"],
            "cart_tax": o["cart_tax"],
            "total": o["total"],
            "total_tax": o["total_tax"],
            "prices_include_tax": o.get("prices_include_tax", False),
            "customer_id": o.get("customer_id", 0),
            "customer_ip_address": o.get("customer_ip_address", ""),
            "customer_user_agent": o.get("customer_user_agent", ""),
            "customer_note": o.get("customer_note", ""),
            "billing": dict(o["billing"]),
            "shipping": dict(o["shipping"]),
            "payment_method": o.get("payment_method", ""),
            "payment_method_title": o.get("payment_method_title", ""),
            "transaction_id": o.get("transaction_id", ""),
        }
    )
    _dates(state, out, "date_paid", o.get("_paid"))
    _dates(state, out, "date_completed", o.get("_completed"))
    out.update(
        {
            "cart_hash": o.get("cart_hash", ""),
            "meta_data": _meta(o),
            "line_items": [line_item_json(i, state) for i in o["line_items"]],
            "tax_lines": [
                {
                    "id": t["id"],
                    "rate_code": t["rate_code"],
                    "rate_id": t["rate_id"],
                    "label": t["label"],
                    "compound": t["compound"],
                    "tax_total": t["tax_total"],
                    "shipping_tax_total": t["shipping_tax_total"],
                    "meta_data": [],
                }
                for t in o["tax_lines"]
            ],
            "shipping_lines": [_shipping_line(state, s) for s in o["shipping_lines"]],
            "fee_lines": [fee_line_json(f) for f in o["fee_lines"]],
            "coupon_lines": [
                {
                    "id": c["id"],
                    "code": c["code"],
                    "discount": c["discount"],
                    "discount_tax": c["discount_tax"],
                    "meta_data": _meta(c),
                }
                for c in o["coupon_lines"]
            ],
            "refunds": [
                {
                    "id": rid,
                    "reason": state.refunds[rid]["reason"],
                    "total": "-" + state.refunds[rid]["amount"],
                }
                for rid in sorted(o.get("_refund_ids", []), reverse=True)
                if rid in state.refunds
            ],
            "_links": _links(base, f"/orders/{oid}", "/orders"),
        }
    )
    return out


def refund_json(state: ShopState, r: dict, base: str) -> dict:
    out: dict[str, Any] = {"id": r["id"]}
    _dates(state, out, "date_created", r["_created"])
    oid = r["order_id"]
    out.update(
        {
            "amount": r["amount"],
            "reason": r["reason"],
            "refunded_by": r.get("refunded_by", 1),
            "refunded_payment": r.get("refunded_payment", False),
            "meta_data": _meta(r),
            "line_items": [line_item_json(i) for i in r["line_items"]],
            # Not in the shared reference; WooCommerce's own test of the refund response
            # (tests/php/includes/rest-api/Controllers/Version2/class-wc-rest-order-refunds-v2-controller-test.php,
            # test_items_response_fields) shows refunded shipping and fee items under these keys.
            "shipping_lines": [_shipping_line(state, s) for s in r.get("shipping_lines", [])],
            "fee_lines": [fee_line_json(f) for f in r.get("fee_lines", [])],
            "_links": _links(
                base, f"/orders/{oid}/refunds/{r['id']}", f"/orders/{oid}/refunds", up=f"/orders/{oid}"
            ),
        }
    )
    return out


def note_json(state: ShopState, n: dict, order_id: int, base: str) -> dict:
    # Order notes are not in the v3 reference; these are WooCommerce's order-note properties.
    out: dict[str, Any] = {"id": n["id"], "author": n["author"]}
    _dates(state, out, "date_created", n["_created"])
    out["note"] = n["note"]
    out["customer_note"] = n["customer_note"]
    out["_links"] = _links(
        base, f"/orders/{order_id}/notes/{n['id']}", f"/orders/{order_id}/notes", up=f"/orders/{order_id}"
    )
    return out


# ---------------------------------------------------------------------- others
def webhook_json(state: ShopState, w: dict, base: str) -> dict:
    out: dict[str, Any] = {
        "id": w["id"],
        "name": w["name"],
        "status": w["status"],
        "topic": w["topic"],
        "resource": w["resource"],
        "event": w["event"],
        "hooks": list(w["hooks"]),
        "delivery_url": w["delivery_url"],
    }
    _dates(state, out, "date_created", w["_created"])
    _dates(state, out, "date_modified", w["_modified"])
    out["_links"] = _links(base, f"/webhooks/{w['id']}", "/webhooks")
    return out


def tax_class_json(c: dict, base: str) -> dict:
    return {
        "slug": c["slug"],
        "name": c["name"],
        "_links": {"collection": [{"href": base + API + "/taxes/classes"}]},
    }


def tax_rate_json(r: dict, base: str) -> dict:
    return {
        "id": r["id"],
        "country": r["country"],
        "state": r["state"],
        "postcode": r["postcodes"][0] if r["postcodes"] else "",
        "city": r["cities"][0] if r["cities"] else "",
        "postcodes": list(r["postcodes"]),
        "cities": list(r["cities"]),
        "rate": r["rate"],
        "name": r["name"],
        "priority": r["priority"],
        "compound": r["compound"],
        "shipping": r["shipping"],
        "order": r["order"],
        "class": r["class"],
        "_links": _links(base, f"/taxes/{r['id']}", "/taxes"),
    }


def zone_json(z: dict, base: str) -> dict:
    return {
        "id": z["id"],
        "name": z["name"],
        "order": z["order"],
        "_links": _links(
            base,
            f"/shipping/zones/{z['id']}",
            "/shipping/zones",
            describedby=f"/shipping/zones/{z['id']}/locations",
        ),
    }


def _settings_json(settings: dict) -> dict:
    out = {}
    for key, s in settings.items():
        item = {
            "id": key,
            "label": s.get("label", ""),
            "description": s.get("description", ""),
            "type": s.get("type", "text"),
            "value": s.get("value", ""),
            "default": s.get("default", ""),
            "tip": s.get("tip", s.get("description", "")),
            "placeholder": s.get("placeholder", ""),
        }
        if "options" in s:
            item["options"] = dict(s["options"])
        out[key] = item
    return out


def zone_method_json(m: dict, zone_id: int, base: str) -> dict:
    return {
        "instance_id": m["instance_id"],
        "title": m["settings"].get("title", {}).get("value", m["method_title"]),
        "order": m["order"],
        "enabled": m["enabled"],
        "method_id": m["method_id"],
        "method_title": m["method_title"],
        "method_description": m["method_description"],
        "settings": _settings_json(m["settings"]),
        "_links": _links(
            base,
            f"/shipping/zones/{zone_id}/methods/{m['instance_id']}",
            f"/shipping/zones/{zone_id}/methods",
            describes=f"/shipping/zones/{zone_id}",
        ),
    }


def gateway_json(g: dict, base: str) -> dict:
    return {
        "id": g["id"],
        "title": g["settings"].get("title", {}).get("value", g["method_title"]),
        "description": g.get("description", ""),
        "order": g["order"],
        "enabled": g["enabled"],
        "method_title": g["method_title"],
        "method_description": g["method_description"],
        "method_supports": list(g["method_supports"]),
        "settings": _settings_json(g["settings"]),
        "_links": _links(base, f"/payment_gateways/{g['id']}", "/payment_gateways"),
    }


def setting_json(opt: dict, base: str) -> dict:
    out: dict[str, Any] = {
        "id": opt["id"],
        "label": opt["label"],
        "description": opt.get("description", ""),
        "type": opt["type"],
        "default": opt.get("default", ""),
    }
    if "options" in opt:
        out["options"] = dict(opt["options"])
    if "tip" in opt:
        out["tip"] = opt["tip"]
    if "placeholder" in opt:
        out["placeholder"] = opt["placeholder"]
    out["value"] = opt["value"]
    out["group_id"] = opt["group_id"]
    out["_links"] = _links(base, f"/settings/{opt['group_id']}/{opt['id']}", f"/settings/{opt['group_id']}")
    return out
