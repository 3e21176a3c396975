"""Product and variation writes, with WooCommerce's rules (call with ``state.lock`` held).

- SKU unique across products and variations (``product_invalid_sku``);
- fields not mentioned in an update are left exactly as they were;
- ``stock_status`` follows a managed ``stock_quantity``;
- every change bumps ``date_modified`` and fires ``product.updated``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from . import resources as R
from .errors import ApiError, invalid_id, invalid_param
from .state import ShopState

PRODUCT_TYPES = ("simple", "grouped", "external", "variable")
STATUSES = ("draft", "pending", "private", "publish")
VISIBILITY = ("visible", "catalog", "search", "hidden")
TAX_STATUSES = ("taxable", "shipping", "none")
STOCK_STATUSES = ("instock", "outofstock", "onbackorder")
BACKORDERS = ("no", "notify", "yes")

_PLAIN_STR = (
    "name",
    "description",
    "short_description",
    "purchase_note",
    "external_url",
    "button_text",
    "weight",
    "shipping_class",
)
_BOOLS = ("featured", "virtual", "downloadable", "sold_individually", "reviews_allowed", "manage_stock")
_INTS = ("download_limit", "download_expiry", "menu_order", "parent_id")
_ID_LISTS = ("upsell_ids", "cross_sell_ids", "grouped_products")


def slugify(text: str) -> str:
    t = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", t).strip("-") or "product"


def unique_slug(state: ShopState, slug: str, exclude: int | None = None) -> str:
    """The slug, or slug-2, slug-3 … as WordPress does. Slugs of deleted products stay taken."""
    candidate, n = slug, 2
    while state.slug_owner.get(candidate, exclude) != exclude:
        candidate, n = f"{slug}-{n}", n + 1
    return candidate


def claim_slug(state: ShopState, rec: dict) -> None:
    state.slug_owner[rec["slug"]] = rec["id"]


# ---------------------------------------------------------------------- sku
def sku_owner(state: ShopState, sku: str, exclude: int | None = None) -> int | None:
    for oid in state.sku_index.get(sku, ()):
        if oid != exclude:
            return oid
    return None


def _set_sku(state: ShopState, rec: dict, sku: Any) -> None:
    if not isinstance(sku, str):
        raise invalid_param("sku", "sku is not of type string.")
    sku = sku.strip()
    if sku and sku_owner(state, sku, exclude=rec.get("id")) is not None:
        raise ApiError(
            400, "product_invalid_sku", "Invalid or duplicated SKU.", resource_id=rec.get("id", 0) or 0
        )
    rec["sku"] = sku


def index_sku(state: ShopState, rec: dict) -> None:
    if rec.get("sku"):
        state.sku_index[rec["sku"]].add(rec["id"])


def unindex_sku(state: ShopState, rec: dict) -> None:
    if rec.get("sku"):
        state.sku_index.get(rec["sku"], set()).discard(rec["id"])


# ---------------------------------------------------------------------- field helpers
def _check_choice(data: dict, key: str, choices: tuple) -> None:
    if key in data and data[key] not in choices:
        raise invalid_param(key, f"{key} is not one of {', '.join(choices)}.")


def _price(data: dict, key: str) -> str | None:
    """WordPress validates the JSON type strictly (a number or null is not a string); WooCommerce then
    runs ``wc_format_decimal``: the shop's decimal separator "," becomes ".", anything else non-numeric
    becomes ""."""
    if key not in data:
        return None
    v = data[key]
    if not isinstance(v, str):
        raise invalid_param(key, f"{key} is not of type string.")
    v = v.strip().replace(",", ".")
    return v if v == "" or R.is_number(v) else ""


def _as_int(key: str, v: Any) -> int:
    """WordPress ``rest_is_integer``: integers, integral floats and numeric strings."""
    if isinstance(v, bool):
        raise invalid_param(key, f"{key} is not of type integer.")
    try:
        f = float(v)
    except (TypeError, ValueError):
        raise invalid_param(key, f"{key} is not of type integer.") from None
    if f != int(f):
        raise invalid_param(key, f"{key} is not of type integer.")
    return int(f)


def _as_bool(key: str, v: Any) -> bool:
    """WordPress ``rest_is_boolean``: true/false, "true"/"false", "1"/"0", 1/0, ""."""
    if isinstance(v, bool):
        return v
    if v in (1, 0) or (isinstance(v, str) and v.lower() in ("1", "0", "true", "false", "")):
        return str(v).lower() in ("1", "true")
    raise invalid_param(key, f"{key} is not of type boolean.")


def apply_meta(state: ShopState, rec: dict, items: Any) -> None:
    """WooCommerce meta_data update: by ``id`` if given, else by ``key``; ``value: null`` deletes."""
    if not isinstance(items, list):
        raise invalid_param("meta_data", "meta_data is not of type array.")
    meta = rec.setdefault("meta_data", [])
    for m in items:
        if not isinstance(m, dict) or "key" not in m and "id" not in m:
            raise invalid_param("meta_data", "meta_data items need a key.")
        target = None
        if m.get("id"):
            target = next((x for x in meta if x["id"] == m["id"]), None)
        if target is None and "key" in m:
            target = next((x for x in meta if x["key"] == m["key"]), None)
        if m.get("value", "") is None:
            if target is not None:
                meta.remove(target)
            continue
        if target is None:
            meta.append({"id": state.next_meta_id(), "key": m["key"], "value": m.get("value", "")})
        else:
            if "key" in m:
                target["key"] = m["key"]
            target["value"] = m.get("value", "")


def _image_rec(state: ShopState, img: dict, existing: dict[int, dict]) -> dict:
    if not isinstance(img, dict):
        raise invalid_param("images", "images items are not objects.")
    if img.get("id") and img["id"] in existing:
        cur = dict(existing[img["id"]])
        for k in ("src", "name", "alt"):
            if k in img:
                cur[k] = img[k]
        return cur
    if not img.get("src") and not img.get("id"):
        raise ApiError(400, "woocommerce_product_image_upload_error", "Invalid image: no src or id given.")
    now = state.now()
    return {
        "id": img.get("id") or state.next_image_id(),
        "_created": now,
        "_modified": now,
        "src": img.get("src", ""),
        "name": img.get("name", ""),
        "alt": img.get("alt", ""),
    }


def _images(state: ShopState, rec: dict, images: Any) -> list[dict]:
    if not isinstance(images, list):
        raise invalid_param("images", "images is not of type array.")
    existing = {i["id"]: i for i in rec.get("images", [])}
    if rec.get("image"):
        existing[rec["image"]["id"]] = rec["image"]
    return [_image_rec(state, i, existing) for i in images]


def _sale_dates(state: ShopState, rec: dict, data: dict) -> None:
    for name, key in (("date_on_sale_from", "_sale_from"), ("date_on_sale_to", "_sale_to")):
        for variant, gmt in ((name, False), (name + "_gmt", True)):
            if variant in data:
                v = data[variant]
                if v in (None, ""):
                    rec[key] = None
                else:
                    try:
                        rec[key] = state.parse_date(v, gmt=gmt)
                    except (TypeError, ValueError):
                        raise invalid_param(variant, f"{variant} is not a valid date.") from None


def _apply_common(state: ShopState, rec: dict, data: dict) -> None:
    """Fields shared by products and variations."""
    _check_choice(data, "status", STATUSES)
    _check_choice(data, "tax_status", TAX_STATUSES)
    _check_choice(data, "stock_status", STOCK_STATUSES)
    _check_choice(data, "backorders", BACKORDERS)
    if "sku" in data:
        _set_sku(state, rec, data["sku"])
    for key in ("regular_price", "sale_price"):
        v = _price(data, key)
        if v is not None:
            rec[key] = v
    _sale_dates(state, rec, data)
    for key in ("status", "tax_status", "tax_class", "backorders", "stock_status"):
        if key in data:
            rec[key] = "" if data[key] is None else data[key]
    if rec.get("tax_class") == "standard":
        rec["tax_class"] = ""
    if rec.get("tax_class") and rec["tax_class"] not in {c["slug"] for c in state.tax_classes}:
        raise invalid_param("tax_class", "tax_class is not one of the shop's tax classes.")
    for key in _PLAIN_STR:
        if key in data:
            if not isinstance(data[key], str):
                raise invalid_param(key, f"{key} is not of type string.")
            rec[key] = data[key]
    for key in _BOOLS:
        if key in data:
            rec[key] = _as_bool(key, data[key])
    for key in _INTS:
        if key in data:
            rec[key] = _as_int(key, data[key])
    if "stock_quantity" in data:
        q = data["stock_quantity"]
        # without manage_stock WooCommerce drops the quantity (derive_stock_status below)
        rec["stock_quantity"] = None if q is None else _as_int("stock_quantity", q)
    if "dimensions" in data:
        dims = data["dimensions"] or {}
        cur = dict(rec.get("dimensions") or {"length": "", "width": "", "height": ""})
        for k in ("length", "width", "height"):
            if k in dims:
                cur[k] = str(dims[k])
        rec["dimensions"] = cur
    if "downloads" in data:
        rec["downloads"] = [
            {
                "id": str(d.get("id") or f"{state.next_meta_id()}"),
                "name": d.get("name", ""),
                "file": d.get("file", ""),
            }
            for d in data["downloads"]
        ]
    if "meta_data" in data:
        apply_meta(state, rec, data["meta_data"])
    if rec.get("manage_stock") and rec.get("stock_quantity") is None:
        rec["stock_quantity"] = 0
    if "stock_status" in data and rec.get("manage_stock") and "stock_quantity" not in data:
        return  # WooCommerce derives stock_status from the quantity when stock is managed
    R.derive_stock_status(rec)


def apply_product(state: ShopState, rec: dict, data: dict) -> None:
    if not isinstance(data, dict):
        raise ApiError(400, "rest_invalid_json", "Invalid JSON body passed.")
    _check_choice(data, "type", PRODUCT_TYPES)
    _check_choice(data, "catalog_visibility", VISIBILITY)
    if "name" in data and not isinstance(data["name"], str):
        raise invalid_param("name", "name is not of type string.")
    if "type" in data:
        rec["type"] = data["type"]
    if "catalog_visibility" in data:
        rec["catalog_visibility"] = data["catalog_visibility"]
    _apply_common(state, rec, data)
    if "slug" in data and data["slug"]:
        rec["slug"] = unique_slug(state, slugify(data["slug"]), exclude=rec.get("id"))
        if rec.get("id") is not None:
            claim_slug(state, rec)
    for key in _ID_LISTS:
        if key in data:
            rec[key] = [int(x) for x in data[key]]
    if "categories" in data:
        cats = data["categories"]
        if not isinstance(cats, list):
            raise invalid_param("categories", "categories is not of type array.")
        rec["categories"] = [dict(c) for c in cats]
    if "tags" in data:
        rec["tags"] = [
            {
                "id": t.get("id", 0),
                "name": t.get("name", ""),
                "slug": t.get("slug", slugify(t.get("name", ""))),
            }
            for t in data["tags"]
        ]
    if "images" in data:
        rec["images"] = _images(state, rec, data["images"])
    if "attributes" in data:
        rec["attributes"] = [
            {
                "id": a.get("id", 0),
                "name": a.get("name", ""),
                "position": a.get("position", i),
                "visible": a.get("visible", False),
                "variation": a.get("variation", False),
                "options": [str(o) for o in a.get("options", [])],
            }
            for i, a in enumerate(data["attributes"])
        ]
    if "default_attributes" in data:
        rec["default_attributes"] = [
            {"id": a.get("id", 0), "name": a.get("name", ""), "option": a.get("option", "")}
            for a in data["default_attributes"]
        ]


def new_product_record(state: ShopState) -> dict:
    now = state.now()
    return {
        "id": None,
        "name": "",
        "slug": "",
        "type": "simple",
        "status": "publish",
        "featured": False,
        "catalog_visibility": "visible",
        "description": "",
        "short_description": "",
        "sku": "",
        "regular_price": "",
        "sale_price": "",
        "_sale_from": None,
        "_sale_to": None,
        "total_sales": 0,
        "virtual": False,
        "downloadable": False,
        "downloads": [],
        "download_limit": -1,
        "download_expiry": -1,
        "external_url": "",
        "button_text": "",
        "tax_status": "taxable",
        "tax_class": "",
        "manage_stock": False,
        "stock_quantity": None,
        "stock_status": "instock",
        "backorders": "no",
        "sold_individually": False,
        "weight": "",
        "dimensions": {"length": "", "width": "", "height": ""},
        "shipping_class": "",
        "shipping_class_id": 0,
        "reviews_allowed": True,
        "related_ids": [],
        "upsell_ids": [],
        "cross_sell_ids": [],
        "parent_id": 0,
        "purchase_note": "",
        "categories": [],
        "tags": [],
        "images": [],
        "attributes": [],
        "default_attributes": [],
        "grouped_products": [],
        "menu_order": 0,
        "meta_data": [],
        "_variation_ids": [],
        "_created": now,
        "_modified": now,
    }


def _emit(state: ShopState, topic: str, payload_fn) -> None:
    d = state.webhooks_dispatcher
    if d is not None:
        d.emit(topic, payload_fn)


def product_payload(state: ShopState, pid: int):
    return lambda base: (
        R.product_json(state, state.products[pid], base) if pid in state.products else {"id": pid}
    )


def variation_payload(state: ShopState, vid: int):
    # WooCommerce builds product.* payloads of a variation through the products endpoint.
    return lambda base: (
        R.variation_as_product_json(state, state.variations[vid], base)
        if vid in state.variations
        else {"id": vid}
    )


def touch_product(state: ShopState, pid: int, topic: str = "product.updated") -> None:
    state.products[pid]["_modified"] = state.now()
    _emit(state, topic, product_payload(state, pid))


def touch_variation(state: ShopState, vid: int) -> None:
    v = state.variations[vid]
    v["_modified"] = state.now()
    # WooCommerce saves the parent after a variation's save (wc_deferred_product_sync → the data
    # store's update, which at least records the save in post_modified): the parent is listed by
    # modified_after too, so a reader finds changed variations through their parents
    parent = state.products.get(v.get("parent_id"))
    if parent is not None:
        parent["_modified"] = v["_modified"]
    _emit(state, "product.updated", variation_payload(state, vid))


# ---------------------------------------------------------------------- products
def get_product(state: ShopState, pid: int) -> dict:
    rec = state.products.get(pid)
    if rec is None:
        raise invalid_id("product")
    return rec


def create_product(state: ShopState, data: dict) -> dict:
    if not isinstance(data, dict):
        raise ApiError(400, "rest_invalid_json", "Invalid JSON body passed.")
    if "id" in data and data["id"]:
        raise ApiError(400, "woocommerce_rest_product_exists", "Cannot create existing product.")
    rec = new_product_record(state)
    apply_product(state, rec, data)
    rec["id"] = state.next_id()
    if not rec["slug"]:
        rec["slug"] = unique_slug(state, slugify(rec["name"] or f"product-{rec['id']}"))
    claim_slug(state, rec)
    state.products[rec["id"]] = rec
    index_sku(state, rec)
    state.bump("products_created")
    _emit(state, "product.created", product_payload(state, rec["id"]))
    return rec


def update_product(state: ShopState, pid: int, data: dict) -> dict:
    rec = get_product(state, pid)
    work = dict(rec)
    work["meta_data"] = [dict(m) for m in rec.get("meta_data", [])]
    apply_product(state, work, data)  # raises before anything is stored
    old_sku = rec.get("sku", "")
    rec.clear()
    rec.update(work)
    if old_sku != rec.get("sku", ""):
        state.sku_index.get(old_sku, set()).discard(pid)
    index_sku(state, rec)
    state.bump("products_updated")
    touch_product(state, pid)
    return rec


def delete_product(state: ShopState, pid: int, force: bool) -> dict:
    rec = get_product(state, pid)
    if not force:
        rec["status"] = "trash"
        rec["_modified"] = state.now()
        _emit(state, "product.deleted", lambda base: {"id": pid})
        return rec
    for vid in list(rec.get("_variation_ids", [])):
        v = state.variations.pop(vid, None)
        if v:
            unindex_sku(state, v)
    unindex_sku(state, rec)
    del state.products[pid]
    state.bump("products_deleted")
    _emit(state, "product.deleted", lambda base: {"id": pid})
    return rec


# ---------------------------------------------------------------------- variations
def new_variation_record(state: ShopState, parent_id: int) -> dict:
    now = state.now()
    return {
        "id": None,
        "parent_id": parent_id,
        "description": "",
        "sku": "",
        "regular_price": "",
        "sale_price": "",
        "_sale_from": None,
        "_sale_to": None,
        "status": "publish",
        "virtual": False,
        "downloadable": False,
        "downloads": [],
        "download_limit": -1,
        "download_expiry": -1,
        "tax_status": "taxable",
        "tax_class": "",
        "manage_stock": False,
        "stock_quantity": None,
        "stock_status": "instock",
        "backorders": "no",
        "weight": "",
        "dimensions": {"length": "", "width": "", "height": ""},
        "shipping_class": "",
        "shipping_class_id": 0,
        "image": None,
        "attributes": [],
        "menu_order": 0,
        "meta_data": [],
        "_created": now,
        "_modified": now,
    }


def apply_variation(state: ShopState, rec: dict, data: dict) -> None:
    if not isinstance(data, dict):
        raise ApiError(400, "rest_invalid_json", "Invalid JSON body passed.")
    _apply_common(state, rec, data)
    if "image" in data:
        img = data["image"]
        rec["image"] = None if not img else _images(state, rec, [img])[0]
    if "attributes" in data:
        rec["attributes"] = [
            {"id": a.get("id", 0), "name": a.get("name", ""), "option": str(a.get("option", ""))}
            for a in data["attributes"]
        ]


def get_variation(state: ShopState, pid: int, vid: int) -> dict:
    get_product(state, pid)
    v = state.variations.get(vid)
    if v is None or v["parent_id"] != pid:
        raise invalid_id("product_variation")
    return v


def create_variation(state: ShopState, pid: int, data: dict) -> dict:
    parent = get_product(state, pid)
    rec = new_variation_record(state, pid)
    apply_variation(state, rec, data)
    rec["id"] = state.next_id()
    state.variations[rec["id"]] = rec
    parent.setdefault("_variation_ids", []).append(rec["id"])
    index_sku(state, rec)
    state.bump("variations_created")
    _emit(state, "product.created", variation_payload(state, rec["id"]))
    parent["_modified"] = state.now()
    return rec


def update_variation(state: ShopState, pid: int, vid: int, data: dict) -> dict:
    rec = get_variation(state, pid, vid)
    work = dict(rec)
    work["meta_data"] = [dict(m) for m in rec.get("meta_data", [])]
    apply_variation(state, work, data)
    old_sku = rec.get("sku", "")
    rec.clear()
    rec.update(work)
    if old_sku != rec.get("sku", ""):
        state.sku_index.get(old_sku, set()).discard(vid)
    index_sku(state, rec)
    state.bump("variations_updated")
    touch_variation(state, vid)
    return rec


def delete_variation(state: ShopState, pid: int, vid: int, force: bool) -> dict:
    rec = get_variation(state, pid, vid)
    if not force:
        raise ApiError(501, "woocommerce_rest_trash_not_supported", "Variations do not support trashing.")
    unindex_sku(state, rec)
    del state.variations[vid]
    parent = state.products[pid]
    parent["_variation_ids"] = [x for x in parent.get("_variation_ids", []) if x != vid]
    _emit(state, "product.deleted", lambda base: {"id": vid})
    return rec


# ---------------------------------------------------------------------- stock
def change_stock(state: ShopState, rec: dict, delta: int) -> bool:
    """Add ``delta`` to a managed stock; returns True when something changed."""
    if not rec.get("manage_stock"):
        return False
    rec["stock_quantity"] = int(rec.get("stock_quantity") or 0) + delta
    R.derive_stock_status(rec)
    if rec["id"] in state.variations:
        touch_variation(state, rec["id"])
    else:
        touch_product(state, rec["id"])
    return True
