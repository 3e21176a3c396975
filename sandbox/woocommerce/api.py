"""REST API v3 routes under ``/wp-json/wc/v3/…`` (Werkzeug routing)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request

from . import catalog, orders, webhooks
from . import resources as R
from .auth import authenticate
from .errors import ApiError, invalid_id, invalid_param
from .state import YES_NO_OPTIONS, ShopState

NS = "/wp-json/wc/v3"


@dataclass
class Ctx:
    state: ShopState
    request: Request
    base: str
    body: Any = None
    headers: dict = field(default_factory=dict)
    status: int = 200
    after: list = field(default_factory=list)  # callables run after the lock is released


Handler = Callable[..., Any]
ROUTES: list[tuple[str, str, str, Handler]] = []  # (path, method, auth action, handler)


def route(path: str, methods: str, action: str | dict) -> Callable[[Handler], Handler]:
    def deco(fn: Handler) -> Handler:
        for m in methods.split(","):
            act = action[m] if isinstance(action, dict) else action
            ROUTES.append((path, m, act, fn))
        return fn

    return deco


# ---------------------------------------------------------------------- params
def _int(
    ctx: Ctx, name: str, default: int | None = None, lo: int | None = None, hi: int | None = None
) -> int | None:
    raw = ctx.request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        val = int(raw)
    except ValueError:
        raise invalid_param(name, f"{name} is not of type integer.") from None
    if (lo is not None and val < lo) or (hi is not None and val > hi):
        if hi is not None:
            raise invalid_param(name, f"{name} must be between {lo} (inclusive) and {hi} (inclusive)")
        raise invalid_param(name, f"{name} must be greater than or equal to {lo}")
    return val


def _bool(ctx: Ctx, name: str) -> bool | None:
    raw = ctx.request.args.get(name)
    if raw is None:
        return None
    if raw.lower() in ("1", "true", "yes"):
        return True
    if raw.lower() in ("0", "false", "no", ""):
        return False
    raise invalid_param(name, f"{name} is not of type boolean.")


def _list(ctx: Ctx, name: str) -> list[str] | None:
    vals = ctx.request.args.getlist(name) + ctx.request.args.getlist(name + "[]")
    if not vals:
        return None
    out: list[str] = []
    for v in vals:
        out += [x.strip() for x in v.split(",") if x.strip()]
    return out


def _int_list(ctx: Ctx, name: str) -> list[int] | None:
    vals = _list(ctx, name)
    if vals is None:
        return None
    try:
        return [int(v) for v in vals]
    except ValueError:
        raise invalid_param(name, f"{name}[0] is not of type integer.") from None


def _date(ctx: Ctx, name: str, gmt: bool):
    raw = ctx.request.args.get(name)
    if not raw:
        return None
    try:
        return ctx.state.parse_date(raw, gmt=gmt)
    except ValueError:
        raise invalid_param(name, "Invalid date.") from None


def _force(ctx: Ctx) -> bool:
    return (ctx.request.args.get("force") or "").lower() in ("1", "true", "yes")


def _json_body(ctx: Ctx) -> Any:
    if ctx.body is None:
        return {}
    return ctx.body


def paginate(ctx: Ctx, items: list, max_per_page: int | None = None) -> list:
    s = ctx.state.settings
    per_page = _int(ctx, "per_page", s["default_per_page"], 1, max_per_page or s["max_per_page"])
    page = _int(ctx, "page", 1, 1)
    offset = _int(ctx, "offset", None, 0)
    total = len(items)
    pages = math.ceil(total / per_page) if per_page else 1
    if page > 1 and page > pages and offset is None:
        raise ApiError(
            400,
            "woocommerce_rest_invalid_page_number" if False else "rest_post_invalid_page_number",
            "The page number requested is larger than the number of pages available.",
        )
    start = offset if offset is not None else (page - 1) * per_page
    ctx.headers["X-WP-Total"] = str(total)
    ctx.headers["X-WP-TotalPages"] = str(pages)
    links = []
    args = {
        k: v for k, v in ctx.request.args.items(multi=True) if k not in ("consumer_key", "consumer_secret")
    }
    url = ctx.base + ctx.request.path

    def link(p: int, rel: str) -> str:
        q = dict(args, page=str(p))
        return f'<{url}?{urlencode(q)}>; rel="{rel}"'

    if page > 1:
        links.append(link(page - 1, "prev"))
    if page < pages:
        links.append(link(page + 1, "next"))
    if links:
        ctx.headers["Link"] = ", ".join(links)
    return items[start : start + per_page]


def _sort(
    ctx: Ctx,
    items: list,
    keys: dict[str, Callable],
    default: str = "date",
    default_order: str = "desc",
    include: list[int] | None = None,
) -> list:
    orderby = ctx.request.args.get("orderby", default)
    order = ctx.request.args.get("order", default_order).lower()
    if order not in ("asc", "desc"):
        raise invalid_param("order", "order is not one of asc, desc.")
    if orderby == "include" and include:
        pos = {v: i for i, v in enumerate(include)}
        return sorted(items, key=lambda r: pos.get(r["id"], 0), reverse=order == "desc")
    if orderby not in keys:
        raise invalid_param("orderby", f"orderby is not one of {', '.join(list(keys) + ['include'])}.")
    return sorted(items, key=keys[orderby], reverse=order == "desc")


def _date_filters(ctx: Ctx, items: list) -> list:
    gmt = bool(_bool(ctx, "dates_are_gmt"))
    for name, field_, cmp in (
        ("after", "_created", lambda a, b: a > b),
        ("before", "_created", lambda a, b: a < b),
        ("modified_after", "_modified", lambda a, b: a > b),
        ("modified_before", "_modified", lambda a, b: a < b),
    ):
        d = _date(ctx, name, gmt)
        if d is not None:
            items = [r for r in items if cmp(r[field_], d)]
    return items


# ---------------------------------------------------------------------- batch
def batch(
    ctx: Ctx, create: Callable, update: Callable, delete: Callable, render: Callable, kind: str
) -> dict:
    data = _json_body(ctx)
    if not isinstance(data, dict):
        raise ApiError(400, "rest_invalid_json", "Invalid JSON body passed.")
    limit = ctx.state.settings["batch_limit"]
    n = sum(len(data.get(k) or []) for k in ("create", "update", "delete"))
    if n > limit:
        raise ApiError(
            413,
            "woocommerce_rest_request_entity_too_large",
            f"Unable to accept more than {limit} items for this request.",
        )
    out: dict[str, list] = {}

    def err(e: ApiError, item_id: int = 0) -> dict:
        return {"id": item_id, "error": {"code": e.code, "message": e.message, "data": {"status": e.status}}}

    if "create" in data:
        out["create"] = []
        for item in data["create"] or []:
            try:
                out["create"].append(render(create(item)))
            except ApiError as e:
                out["create"].append(err(e))
    if "update" in data:
        out["update"] = []
        for item in data["update"] or []:
            item_id = item.get("id", 0) if isinstance(item, dict) else 0
            try:
                if not item_id:
                    raise ApiError(400, f"woocommerce_rest_{kind}_invalid_id", "Invalid ID.")
                out["update"].append(render(update(int(item_id), item)))
            except ApiError as e:
                out["update"].append(err(e, item_id or 0))
            except (TypeError, ValueError):
                out["update"].append(
                    err(ApiError(400, f"woocommerce_rest_{kind}_invalid_id", "Invalid ID."), 0)
                )
    if "delete" in data:
        out["delete"] = []
        for item_id in data["delete"] or []:
            try:
                rid = int(item_id["id"] if isinstance(item_id, dict) else item_id)
                rendered = render_before_delete(ctx, rid, render, kind)
                delete(rid)
                out["delete"].append(rendered)
            except ApiError as e:
                out["delete"].append(err(e, item_id if isinstance(item_id, int) else 0))
            except (TypeError, ValueError, KeyError):
                out["delete"].append(err(ApiError(400, f"woocommerce_rest_{kind}_invalid_id", "Invalid ID.")))
    return out


def render_before_delete(ctx: Ctx, rid: int, render: Callable, kind: str) -> dict:
    s = ctx.state
    rec = {
        "product": s.products,
        "product_variation": s.variations,
        "shop_order": s.orders,
        "webhook": s.webhooks,
        "tax": s.tax_rates,
    }[kind].get(rid)
    if rec is None:
        raise ApiError(
            404 if kind != "webhook" else 404, f"woocommerce_rest_{kind}_invalid_id", "Invalid ID."
        )
    return render(rec)


# ---------------------------------------------------------------------- index
@route("/wp-json/", "GET", "public")
def wp_index(ctx: Ctx) -> dict:
    return {
        "name": "Silta WooCommerce sandbox",
        "description": "Local stand-in for a WooCommerce shop",
        "url": ctx.base,
        "home": ctx.base,
        "gmt_offset": "2",
        "timezone_string": ctx.state.settings["site_timezone"],
        "namespaces": ["oembed/1.0", "wc/v1", "wc/v2", "wc/v3", "wc-telemetry", "wp/v2"],
        "authentication": [],
        "routes": {},
    }


def _route_pattern(m: re.Match) -> str:
    return f"(?P<{m.group(2)}>" + (r"[\d]+" if m.group(1) else r"[\w-]+") + ")"


@route(NS, "GET", "public")
def wc_index(ctx: Ctx) -> dict:
    routes: dict[str, dict] = {}
    for path, method, _, _ in ROUTES:
        if path.startswith(NS + "/"):
            p = re.sub(r"<(int:)?(\w+)>", _route_pattern, path)
            routes.setdefault(p, {"namespace": "wc/v3", "methods": []})["methods"].append(method)
    return {"namespace": "wc/v3", "routes": routes}


# ---------------------------------------------------------------------- products
PRODUCT_SORT = {
    "date": lambda r: (r["_created"], r["id"]),
    "modified": lambda r: (r["_modified"], r["id"]),
    "id": lambda r: r["id"],
    "title": lambda r: (r["name"].lower(), r["id"]),
    "slug": lambda r: (r["slug"], r["id"]),
    "price": lambda r: (R.dec(r.get("regular_price")), r["id"]),
    "popularity": lambda r: (r.get("total_sales", 0), r["id"]),
    "rating": lambda r: (r.get("average_rating", "0"), r["id"]),
}


def _product_filters(ctx: Ctx, items: list, variations: bool = False) -> list:
    a = ctx.request.args
    status = a.get("status", "any")
    if status not in ("any", "draft", "pending", "private", "publish", "future", "trash"):
        raise invalid_param("status", "status is not one of any, draft, pending, private and publish.")
    if status == "any":
        items = [r for r in items if r.get("status") != "trash"]
    else:
        items = [r for r in items if r.get("status") == status]
    if not variations and a.get("type"):
        if a["type"] not in catalog.PRODUCT_TYPES:
            raise invalid_param("type", "type is not one of simple, grouped, external and variable.")
        items = [r for r in items if r["type"] == a["type"]]
    skus = _list(ctx, "sku")
    if skus is not None:
        wanted = set(skus)
        items = [r for r in items if r.get("sku") in wanted]
    include = _int_list(ctx, "include")
    if include is not None:
        inc = set(include)
        items = [r for r in items if r["id"] in inc]
    exclude = _int_list(ctx, "exclude")
    if exclude:
        exc = set(exclude)
        items = [r for r in items if r["id"] not in exc]
    parent = _int_list(ctx, "parent")
    if parent is not None and not variations:
        items = [r for r in items if r.get("parent_id", 0) in set(parent)]
    if a.get("search"):
        q = a["search"].lower()
        items = [
            r
            for r in items
            if q in r.get("name", "").lower()
            or q in r.get("description", "").lower()
            or q in r.get("short_description", "").lower()
            or q in r.get("sku", "").lower()
        ]
    if a.get("slug") and not variations:
        items = [r for r in items if r["slug"] == a["slug"]]
    featured = _bool(ctx, "featured")
    if featured is not None and not variations:
        items = [r for r in items if r.get("featured") == featured]
    if a.get("category") and not variations:
        cats = {int(c) for c in a["category"].split(",") if c.strip().isdigit()}
        items = [r for r in items if any(c.get("id") in cats for c in r.get("categories", []))]
    if a.get("tax_class"):
        tc = "" if a["tax_class"] == "standard" else a["tax_class"]
        items = [r for r in items if r.get("tax_class", "") == tc]
    if a.get("stock_status"):
        items = [r for r in items if r.get("stock_status") == a["stock_status"]]
    on_sale = _bool(ctx, "on_sale")
    if on_sale is not None:
        items = [r for r in items if R.sale_active(ctx.state, r) == on_sale]
    if a.get("min_price"):
        items = [r for r in items if R.dec(R.current_price(ctx.state, r)) >= R.dec(a["min_price"])]
    if a.get("max_price"):
        items = [r for r in items if R.dec(R.current_price(ctx.state, r)) <= R.dec(a["max_price"])]
    return _date_filters(ctx, items)


def _render_product(ctx: Ctx):
    return lambda rec: R.product_json(ctx.state, rec, ctx.base)


@route(NS + "/products", "GET", "list")
def products_list(ctx: Ctx) -> list:
    items = _product_filters(ctx, list(ctx.state.products.values()))
    items = _sort(ctx, items, PRODUCT_SORT, include=_int_list(ctx, "include"))
    return [R.product_json(ctx.state, r, ctx.base) for r in paginate(ctx, items)]


@route(NS + "/products", "POST", "create")
def products_create(ctx: Ctx) -> dict:
    rec = catalog.create_product(ctx.state, _json_body(ctx))
    ctx.status = 201
    ctx.headers["Location"] = f"{ctx.base}{NS}/products/{rec['id']}"
    return R.product_json(ctx.state, rec, ctx.base)


@route(NS + "/products/<int:pid>", "GET", "view")
def products_get(ctx: Ctx, pid: int) -> dict:
    if pid in ctx.state.variations:  # WooCommerce answers variation ids here too
        return R.variation_as_product_json(ctx.state, ctx.state.variations[pid], ctx.base)
    return R.product_json(ctx.state, catalog.get_product(ctx.state, pid), ctx.base)


@route(NS + "/products/<int:pid>", "PUT,POST,PATCH", "edit")
def products_update(ctx: Ctx, pid: int) -> dict:
    return R.product_json(ctx.state, catalog.update_product(ctx.state, pid, _json_body(ctx)), ctx.base)


@route(NS + "/products/<int:pid>", "DELETE", "delete")
def products_delete(ctx: Ctx, pid: int) -> dict:
    before = R.product_json(ctx.state, catalog.get_product(ctx.state, pid), ctx.base)
    rec = catalog.delete_product(ctx.state, pid, _force(ctx))
    return before if _force(ctx) else R.product_json(ctx.state, rec, ctx.base)


@route(NS + "/products/batch", "POST,PUT,PATCH", "batch")
def products_batch(ctx: Ctx) -> dict:
    s = ctx.state
    return batch(
        ctx,
        lambda d: catalog.create_product(s, d),
        lambda i, d: catalog.update_product(s, i, d),
        lambda i: catalog.delete_product(s, i, True),
        _render_product(ctx),
        "product",
    )


# ---------------------------------------------------------------------- variations
@route(NS + "/products/<int:pid>/variations", "GET", "list")
def variations_list(ctx: Ctx, pid: int) -> list:
    parent = catalog.get_product(ctx.state, pid)
    items = [ctx.state.variations[v] for v in parent.get("_variation_ids", []) if v in ctx.state.variations]
    items = _product_filters(ctx, items, variations=True)
    keys = {k: PRODUCT_SORT[k] for k in ("date", "id", "modified")}
    keys["title"] = keys["slug"] = lambda r: (r.get("sku", ""), r["id"])
    keys["menu_order"] = lambda r: (r.get("menu_order", 0), r["id"])
    items = _sort(ctx, items, keys, include=_int_list(ctx, "include"))
    return [R.variation_json(ctx.state, r, ctx.base) for r in paginate(ctx, items)]


@route(NS + "/products/<int:pid>/variations", "POST", "create")
def variations_create(ctx: Ctx, pid: int) -> dict:
    rec = catalog.create_variation(ctx.state, pid, _json_body(ctx))
    ctx.status = 201
    return R.variation_json(ctx.state, rec, ctx.base)


@route(NS + "/products/<int:pid>/variations/<int:vid>", "GET", "view")
def variations_get(ctx: Ctx, pid: int, vid: int) -> dict:
    return R.variation_json(ctx.state, catalog.get_variation(ctx.state, pid, vid), ctx.base)


@route(NS + "/products/<int:pid>/variations/<int:vid>", "PUT,POST,PATCH", "edit")
def variations_update(ctx: Ctx, pid: int, vid: int) -> dict:
    return R.variation_json(
        ctx.state, catalog.update_variation(ctx.state, pid, vid, _json_body(ctx)), ctx.base
    )


@route(NS + "/products/<int:pid>/variations/<int:vid>", "DELETE", "delete")
def variations_delete(ctx: Ctx, pid: int, vid: int) -> dict:
    before = R.variation_json(ctx.state, catalog.get_variation(ctx.state, pid, vid), ctx.base)
    catalog.delete_variation(ctx.state, pid, vid, _force(ctx))
    return before


@route(NS + "/products/<int:pid>/variations/batch", "POST,PUT,PATCH", "batch")
def variations_batch(ctx: Ctx, pid: int) -> dict:
    s = ctx.state
    catalog.get_product(s, pid)
    return batch(
        ctx,
        lambda d: catalog.create_variation(s, pid, d),
        lambda i, d: catalog.update_variation(s, pid, i, d),
        lambda i: catalog.delete_variation(s, pid, i, True),
        lambda rec: R.variation_json(s, rec, ctx.base),
        "product_variation",
    )


# ---------------------------------------------------------------------- orders
ORDER_SORT = {
    "date": lambda r: (r["_created"], r["id"]),
    "modified": lambda r: (r["_modified"], r["id"]),
    "id": lambda r: r["id"],
    "title": lambda r: r["id"],
    "slug": lambda r: r["id"],
}


@route(NS + "/orders", "GET", "list")
def orders_list(ctx: Ctx) -> list:
    items = list(ctx.state.orders.values())
    statuses = _list(ctx, "status") or ["any"]
    for st in statuses:
        if st != "any" and st not in orders.ORDER_STATUSES:
            raise invalid_param("status", f"status[0] is not one of any, {', '.join(orders.ORDER_STATUSES)}.")
    if "any" in statuses:
        items = [o for o in items if o["status"] != "trash"]
    else:
        items = [o for o in items if o["status"] in statuses]
    include = _int_list(ctx, "include")
    if include is not None:
        items = [o for o in items if o["id"] in set(include)]
    exclude = _int_list(ctx, "exclude")
    if exclude:
        items = [o for o in items if o["id"] not in set(exclude)]
    customer = _int(ctx, "customer")
    if customer is not None:
        items = [o for o in items if o.get("customer_id") == customer]
    product = _int(ctx, "product")
    if product is not None:
        items = [o for o in items if any(li["product_id"] == product for li in o["line_items"])]
    parent = _int_list(ctx, "parent")
    if parent is not None:
        items = [o for o in items if o.get("parent_id", 0) in set(parent)]
    q = (ctx.request.args.get("search") or "").lower()
    if q:
        items = [
            o
            for o in items
            if q in str(o["id"])
            or any(q in str(v).lower() for v in o["billing"].values())
            or any(q in li["name"].lower() for li in o["line_items"])
        ]
    items = _date_filters(ctx, items)
    items = _sort(ctx, items, ORDER_SORT, include=include)
    return [R.order_json(ctx.state, o, ctx.base) for o in paginate(ctx, items)]


@route(NS + "/orders", "POST", "create")
def orders_create(ctx: Ctx) -> dict:
    o = orders.create_order(ctx.state, _json_body(ctx), created_via="rest-api")
    ctx.status = 201
    return R.order_json(ctx.state, o, ctx.base)


@route(NS + "/orders/<int:oid>", "GET", "view")
def orders_get(ctx: Ctx, oid: int) -> dict:
    return R.order_json(ctx.state, orders.get_order(ctx.state, oid), ctx.base)


@route(NS + "/orders/<int:oid>", "PUT,POST,PATCH", "edit")
def orders_update(ctx: Ctx, oid: int) -> dict:
    return R.order_json(ctx.state, orders.update_order(ctx.state, oid, _json_body(ctx)), ctx.base)


@route(NS + "/orders/<int:oid>", "DELETE", "delete")
def orders_delete(ctx: Ctx, oid: int) -> dict:
    before = R.order_json(ctx.state, orders.get_order(ctx.state, oid), ctx.base)
    o = orders.delete_order(ctx.state, oid, _force(ctx))
    return before if _force(ctx) else R.order_json(ctx.state, o, ctx.base)


@route(NS + "/orders/batch", "POST,PUT,PATCH", "batch")
def orders_batch(ctx: Ctx) -> dict:
    s = ctx.state
    return batch(
        ctx,
        lambda d: orders.create_order(s, d),
        lambda i, d: orders.update_order(s, i, d),
        lambda i: orders.delete_order(s, i, True),
        lambda o: R.order_json(s, o, ctx.base),
        "shop_order",
    )


@route(NS + "/orders/<int:oid>/notes", "GET", "list")
def notes_list(ctx: Ctx, oid: int) -> list:
    orders.get_order(ctx.state, oid)
    kind = ctx.request.args.get("type", "any")
    notes = list(reversed(ctx.state.notes.get(oid, [])))
    if kind == "customer":
        notes = [n for n in notes if n["customer_note"]]
    elif kind == "internal":
        notes = [n for n in notes if not n["customer_note"]]
    return [R.note_json(ctx.state, n, oid, ctx.base) for n in notes]


@route(NS + "/orders/<int:oid>/notes", "POST", "create")
def notes_create(ctx: Ctx, oid: int) -> dict:
    o = orders.get_order(ctx.state, oid)
    data = _json_body(ctx)
    if not isinstance(data, dict) or not data.get("note"):
        raise ApiError(400, "woocommerce_rest_invalid_order_note", "Order note cannot be empty.")
    n = orders.add_note(
        ctx.state, o, str(data["note"]), bool(data.get("customer_note", False)), author="admin"
    )
    ctx.status = 201
    return R.note_json(ctx.state, n, oid, ctx.base)


@route(NS + "/orders/<int:oid>/notes/<int:nid>", "GET", "view")
def notes_get(ctx: Ctx, oid: int, nid: int) -> dict:
    orders.get_order(ctx.state, oid)
    for n in ctx.state.notes.get(oid, []):
        if n["id"] == nid:
            return R.note_json(ctx.state, n, oid, ctx.base)
    raise ApiError(404, "woocommerce_rest_order_invalid_id", "Invalid resource ID.")


@route(NS + "/orders/<int:oid>/refunds", "GET", "list")
def refunds_list(ctx: Ctx, oid: int) -> list:
    o = orders.get_order(ctx.state, oid)
    items = [ctx.state.refunds[r] for r in sorted(o["_refund_ids"], reverse=True) if r in ctx.state.refunds]
    return [R.refund_json(ctx.state, r, ctx.base) for r in paginate(ctx, items)]


@route(NS + "/orders/<int:oid>/refunds", "POST", "create")
def refunds_create(ctx: Ctx, oid: int) -> dict:
    r = orders.create_refund(ctx.state, oid, _json_body(ctx))
    ctx.status = 201
    return R.refund_json(ctx.state, r, ctx.base)


@route(NS + "/orders/<int:oid>/refunds/<int:rid>", "GET", "view")
def refunds_get(ctx: Ctx, oid: int, rid: int) -> dict:
    return R.refund_json(ctx.state, orders.get_refund(ctx.state, oid, rid), ctx.base)


@route(NS + "/orders/<int:oid>/refunds/<int:rid>", "DELETE", "delete")
def refunds_delete(ctx: Ctx, oid: int, rid: int) -> dict:
    before = R.refund_json(ctx.state, orders.get_refund(ctx.state, oid, rid), ctx.base)
    orders.delete_refund(ctx.state, oid, rid, _force(ctx))
    return before


# ---------------------------------------------------------------------- webhooks
def _webhook_created(ctx: Ctx, w: dict) -> None:
    if w["status"] == "active" and ctx.state.settings["webhook_send_ping"] and ctx.state.webhooks_dispatcher:
        wid = w["id"]
        ctx.after.append(lambda: ctx.state.webhooks_dispatcher.ping(wid))


@route(NS + "/webhooks", "GET", "list")
def webhooks_list(ctx: Ctx) -> list:
    items = list(ctx.state.webhooks.values())
    status = ctx.request.args.get("status", "all")
    if status != "all":
        items = [w for w in items if w["status"] == status]
    include = _int_list(ctx, "include")
    if include is not None:
        items = [w for w in items if w["id"] in set(include)]
    if ctx.request.args.get("search"):
        q = ctx.request.args["search"].lower()
        items = [w for w in items if q in w["name"].lower()]
    items = _date_filters(ctx, items)
    keys = {
        "date": lambda w: (w["_created"], w["id"]),
        "id": lambda w: w["id"],
        "title": lambda w: w["name"].lower(),
        "slug": lambda w: w["name"].lower(),
    }
    items = _sort(ctx, items, keys, include=include)
    return [R.webhook_json(ctx.state, w, ctx.base) for w in paginate(ctx, items)]


@route(NS + "/webhooks", "POST", "create")
def webhooks_create(ctx: Ctx) -> dict:
    w = webhooks.create_webhook(ctx.state, _json_body(ctx))
    _webhook_created(ctx, w)
    ctx.status = 201
    return R.webhook_json(ctx.state, w, ctx.base)


@route(NS + "/webhooks/<int:wid>", "GET", "view")
def webhooks_get(ctx: Ctx, wid: int) -> dict:
    return R.webhook_json(ctx.state, webhooks.get_webhook(ctx.state, wid), ctx.base)


@route(NS + "/webhooks/<int:wid>", "PUT,POST,PATCH", "edit")
def webhooks_update(ctx: Ctx, wid: int) -> dict:
    w = webhooks.get_webhook(ctx.state, wid)
    webhooks.apply_webhook(ctx.state, w, _json_body(ctx), creating=False)
    return R.webhook_json(ctx.state, w, ctx.base)


@route(NS + "/webhooks/<int:wid>", "DELETE", "delete")
def webhooks_delete(ctx: Ctx, wid: int) -> dict:
    w = webhooks.get_webhook(ctx.state, wid)
    if not _force(ctx):
        raise ApiError(501, "woocommerce_rest_trash_not_supported", "Webhooks do not support trashing.")
    out = R.webhook_json(ctx.state, w, ctx.base)
    del ctx.state.webhooks[wid]
    return out


@route(NS + "/webhooks/batch", "POST,PUT,PATCH", "batch")
def webhooks_batch(ctx: Ctx) -> dict:
    s = ctx.state

    def create(d):
        w = webhooks.create_webhook(s, d)
        _webhook_created(ctx, w)
        return w

    def update(i, d):
        w = webhooks.get_webhook(s, i)
        webhooks.apply_webhook(s, w, d, creating=False)
        return w

    return batch(
        ctx, create, update, lambda i: s.webhooks.pop(i), lambda w: R.webhook_json(s, w, ctx.base), "webhook"
    )


# ---------------------------------------------------------------------- taxes
@route(NS + "/taxes/classes", "GET", "list")
def tax_classes_list(ctx: Ctx) -> list:
    return [R.tax_class_json(c, ctx.base) for c in ctx.state.tax_classes]


@route(NS + "/taxes/classes", "POST", "create")
def tax_classes_create(ctx: Ctx) -> dict:
    data = _json_body(ctx)
    name = data.get("name") if isinstance(data, dict) else None
    if not name:
        raise ApiError(400, "rest_missing_callback_param", "Missing parameter(s): name", params=["name"])
    slug = catalog.slugify(name)
    if any(c["slug"] == slug for c in ctx.state.tax_classes):
        raise ApiError(400, "woocommerce_rest_tax_class_exists", "Cannot create existing resource.")
    c = {"slug": slug, "name": name}
    ctx.state.tax_classes.append(c)
    ctx.status = 201
    return R.tax_class_json(c, ctx.base)


@route(NS + "/taxes/classes/<slug>", "DELETE", "delete")
def tax_classes_delete(ctx: Ctx, slug: str) -> dict:
    if not _force(ctx):
        raise ApiError(501, "woocommerce_rest_trash_not_supported", "Taxes do not support trashing.")
    for c in ctx.state.tax_classes:
        if c["slug"] == slug and slug != "standard":
            ctx.state.tax_classes.remove(c)
            return R.tax_class_json(c, ctx.base)
    raise ApiError(404, "woocommerce_rest_invalid_id", "Invalid resource ID.")


def _apply_rate(r: dict, data: dict) -> None:
    for k in ("country", "state", "name", "class"):
        if k in data:
            r[k] = str(data[k])
    if "rate" in data:
        r["rate"] = f"{R.dec(data['rate']):.4f}"
    for k in ("priority", "order"):
        if k in data:
            r[k] = int(data[k])
    for k in ("compound", "shipping"):
        if k in data:
            r[k] = bool(data[k])
    if "postcodes" in data:
        r["postcodes"] = list(data["postcodes"])
    elif "postcode" in data:
        r["postcodes"] = [data["postcode"]] if data["postcode"] else []
    if "cities" in data:
        r["cities"] = list(data["cities"])
    elif "city" in data:
        r["cities"] = [data["city"]] if data["city"] else []


def _tax_rate(ctx: Ctx, tid: int) -> dict:
    r = ctx.state.tax_rates.get(tid)
    if r is None:
        raise ApiError(404, "woocommerce_rest_invalid_id", "Invalid resource ID.")
    return r


def _create_rate(ctx: Ctx, data: dict) -> dict:
    tid = max(ctx.state.tax_rates, default=0) + 1
    r = {
        "id": tid,
        "country": "",
        "state": "",
        "postcodes": [],
        "cities": [],
        "rate": "0.0000",
        "name": "",
        "priority": 1,
        "compound": False,
        "shipping": True,
        "order": 0,
        "class": "standard",
    }
    _apply_rate(r, data)
    ctx.state.tax_rates[tid] = r
    return r


@route(NS + "/taxes", "GET", "list")
def taxes_list(ctx: Ctx) -> list:
    items = list(ctx.state.tax_rates.values())
    if ctx.request.args.get("class"):
        items = [r for r in items if r["class"] == ctx.request.args["class"]]
    keys = {
        "order": lambda r: (r["order"], r["id"]),
        "id": lambda r: r["id"],
        "priority": lambda r: (r["priority"], r["id"]),
    }
    items = _sort(ctx, items, keys, default="order", default_order="asc")
    return [R.tax_rate_json(r, ctx.base) for r in paginate(ctx, items)]


@route(NS + "/taxes", "POST", "create")
def taxes_create(ctx: Ctx) -> dict:
    ctx.status = 201
    return R.tax_rate_json(_create_rate(ctx, _json_body(ctx)), ctx.base)


@route(NS + "/taxes/<int:tid>", "GET", "view")
def taxes_get(ctx: Ctx, tid: int) -> dict:
    return R.tax_rate_json(_tax_rate(ctx, tid), ctx.base)


@route(NS + "/taxes/<int:tid>", "PUT,POST,PATCH", "edit")
def taxes_update(ctx: Ctx, tid: int) -> dict:
    r = _tax_rate(ctx, tid)
    _apply_rate(r, _json_body(ctx))
    return R.tax_rate_json(r, ctx.base)


@route(NS + "/taxes/<int:tid>", "DELETE", "delete")
def taxes_delete(ctx: Ctx, tid: int) -> dict:
    if not _force(ctx):
        raise ApiError(501, "woocommerce_rest_trash_not_supported", "Taxes do not support trashing.")
    r = _tax_rate(ctx, tid)
    del ctx.state.tax_rates[tid]
    return R.tax_rate_json(r, ctx.base)


@route(NS + "/taxes/batch", "POST,PUT,PATCH", "batch")
def taxes_batch(ctx: Ctx) -> dict:
    def update(i, d):
        r = _tax_rate(ctx, i)
        _apply_rate(r, d)
        return r

    return batch(
        ctx,
        lambda d: _create_rate(ctx, d),
        update,
        lambda i: ctx.state.tax_rates.pop(i),
        lambda r: R.tax_rate_json(r, ctx.base),
        "tax",
    )


# ---------------------------------------------------------------------- shipping
def _zone(ctx: Ctx, zid: int) -> dict:
    z = ctx.state.zones.get(zid)
    if z is None:
        raise ApiError(404, "woocommerce_rest_shipping_zone_invalid", "Resource does not exist.")
    return z


@route(NS + "/shipping/zones", "GET", "list")
def zones_list(ctx: Ctx) -> list:
    return [
        R.zone_json(z, ctx.base)
        for z in sorted(ctx.state.zones.values(), key=lambda z: (z["order"], z["id"]))
    ]


@route(NS + "/shipping/zones", "POST", "create")
def zones_create(ctx: Ctx) -> dict:
    data = _json_body(ctx)
    if not isinstance(data, dict) or not data.get("name"):
        raise ApiError(400, "rest_missing_callback_param", "Missing parameter(s): name", params=["name"])
    zid = max(ctx.state.zones, default=0) + 1
    z = {"id": zid, "name": str(data["name"]), "order": int(data.get("order", 0))}
    ctx.state.zones[zid] = z
    ctx.status = 201
    return R.zone_json(z, ctx.base)


@route(NS + "/shipping/zones/<int:zid>", "GET", "view")
def zones_get(ctx: Ctx, zid: int) -> dict:
    return R.zone_json(_zone(ctx, zid), ctx.base)


@route(NS + "/shipping/zones/<int:zid>", "PUT,POST,PATCH", "edit")
def zones_update(ctx: Ctx, zid: int) -> dict:
    z = _zone(ctx, zid)
    data = _json_body(ctx)
    if zid == 0:
        raise ApiError(
            403,
            "woocommerce_rest_shipping_zone_invalid_zone",
            'The "locations not covered by your other zones" zone cannot be updated.',
        )
    if "name" in data:
        z["name"] = str(data["name"])
    if "order" in data:
        z["order"] = int(data["order"])
    return R.zone_json(z, ctx.base)


@route(NS + "/shipping/zones/<int:zid>", "DELETE", "delete")
def zones_delete(ctx: Ctx, zid: int) -> dict:
    z = _zone(ctx, zid)
    if not _force(ctx):
        raise ApiError(501, "woocommerce_rest_trash_not_supported", "Shipping zones do not support trashing.")
    out = R.zone_json(z, ctx.base)
    del ctx.state.zones[zid]
    ctx.state.zone_methods.pop(zid, None)
    return out


@route(NS + "/shipping/zones/<int:zid>/locations", "GET", "view")
def zone_locations(ctx: Ctx, zid: int) -> list:
    _zone(ctx, zid)
    locs = getattr(ctx.state, "zone_locations", {}).get(zid, [])
    return [
        {
            "code": loc["code"],
            "type": loc["type"],
            "_links": {
                "collection": [{"href": f"{ctx.base}{NS}/shipping/zones/{zid}/locations"}],
                "describes": [{"href": f"{ctx.base}{NS}/shipping/zones/{zid}"}],
            },
        }
        for loc in locs
    ]


def _method(ctx: Ctx, zid: int, iid: int) -> dict:
    _zone(ctx, zid)
    for m in ctx.state.zone_methods.get(zid, []):
        if m["instance_id"] == iid:
            return m
    raise ApiError(404, "woocommerce_rest_shipping_zone_method_invalid", "Resource does not exist.")


def _apply_method(m: dict, data: dict) -> None:
    if "enabled" in data:
        m["enabled"] = bool(data["enabled"])
    if "order" in data:
        m["order"] = int(data["order"])
    for key, value in (data.get("settings") or {}).items():
        if key not in m["settings"]:
            raise ApiError(400, "rest_setting_setting_invalid", "Invalid setting.")
        m["settings"][key]["value"] = str(value)


@route(NS + "/shipping/zones/<int:zid>/methods", "GET", "list")
def methods_list(ctx: Ctx, zid: int) -> list:
    _zone(ctx, zid)
    ms = sorted(ctx.state.zone_methods.get(zid, []), key=lambda m: (m["order"], m["instance_id"]))
    return [R.zone_method_json(m, zid, ctx.base) for m in ms]


@route(NS + "/shipping/zones/<int:zid>/methods", "POST", "create")
def methods_create(ctx: Ctx, zid: int) -> dict:
    from . import seed

    _zone(ctx, zid)
    data = _json_body(ctx)
    method_id = data.get("method_id") if isinstance(data, dict) else None
    builders = {
        "flat_rate": lambda: seed._flat_rate("0"),
        "free_shipping": lambda: seed._free_shipping("0"),
        "local_pickup": seed._local_pickup,
    }
    if method_id not in builders:
        raise ApiError(400, "woocommerce_rest_shipping_zone_method_invalid", "Resource does not exist.")
    title, desc = seed.METHOD_INFO[method_id]
    m = {
        "instance_id": ctx.state.next_instance_id(),
        "order": len(ctx.state.zone_methods[zid]) + 1,
        "enabled": True,
        "method_id": method_id,
        "method_title": title,
        "method_description": desc,
        "settings": builders[method_id](),
    }
    m["settings"]["title"]["value"] = title
    _apply_method(m, data)
    ctx.state.zone_methods[zid].append(m)
    ctx.status = 201
    return R.zone_method_json(m, zid, ctx.base)


@route(NS + "/shipping/zones/<int:zid>/methods/<int:iid>", "GET", "view")
def methods_get(ctx: Ctx, zid: int, iid: int) -> dict:
    return R.zone_method_json(_method(ctx, zid, iid), zid, ctx.base)


@route(NS + "/shipping/zones/<int:zid>/methods/<int:iid>", "PUT,POST,PATCH", "edit")
def methods_update(ctx: Ctx, zid: int, iid: int) -> dict:
    m = _method(ctx, zid, iid)
    _apply_method(m, _json_body(ctx))
    return R.zone_method_json(m, zid, ctx.base)


@route(NS + "/shipping/zones/<int:zid>/methods/<int:iid>", "DELETE", "delete")
def methods_delete(ctx: Ctx, zid: int, iid: int) -> dict:
    m = _method(ctx, zid, iid)
    if not _force(ctx):
        raise ApiError(
            501, "woocommerce_rest_trash_not_supported", "Shipping methods do not support trashing."
        )
    ctx.state.zone_methods[zid].remove(m)
    return R.zone_method_json(m, zid, ctx.base)


# ---------------------------------------------------------------------- payment gateways
def _gateway(ctx: Ctx, gid: str) -> dict:
    g = ctx.state.gateways.get(gid)
    if g is None:
        raise ApiError(404, "woocommerce_rest_payment_gateway_invalid", "Resource does not exist.")
    return g


@route(NS + "/payment_gateways", "GET", "list")
def gateways_list(ctx: Ctx) -> list:
    gs = sorted(ctx.state.gateways.values(), key=lambda g: g["order"])
    return [R.gateway_json(g, ctx.base) for g in gs]


@route(NS + "/payment_gateways/<gid>", "GET", "view")
def gateways_get(ctx: Ctx, gid: str) -> dict:
    return R.gateway_json(_gateway(ctx, gid), ctx.base)


@route(NS + "/payment_gateways/<gid>", "PUT,POST,PATCH", "edit")
def gateways_update(ctx: Ctx, gid: str) -> dict:
    g = _gateway(ctx, gid)
    data = _json_body(ctx)
    if "enabled" in data:
        g["enabled"] = bool(data["enabled"])
    if "order" in data:
        g["order"] = int(data["order"])
    if "title" in data:
        g["settings"]["title"]["value"] = str(data["title"])
    if "description" in data:
        g["description"] = str(data["description"])
    for key, value in (data.get("settings") or {}).items():
        if key in g["settings"]:
            g["settings"][key]["value"] = str(value)
    return R.gateway_json(g, ctx.base)


# ---------------------------------------------------------------------- settings
def _sync_setting(ctx: Ctx, opt: dict) -> None:
    s = ctx.state.settings
    if opt["id"] == "woocommerce_currency":
        s["currency"] = opt["value"]
    elif opt["id"] in YES_NO_OPTIONS:
        s[YES_NO_OPTIONS[opt["id"]]] = opt["value"] == "yes"


def _option(ctx: Ctx, group: str, oid: str) -> dict:
    if group not in {g for g, _ in ctx.state.setting_groups}:
        raise ApiError(404, "rest_setting_setting_group_invalid", "Invalid setting group.")
    opt = ctx.state.options.get(oid)
    if opt is None or opt["group_id"] != group:
        raise ApiError(404, "rest_setting_setting_invalid", "Invalid setting.")
    return opt


def _set_option(ctx: Ctx, opt: dict, value: Any) -> None:
    if "options" in opt and opt["type"] in ("select", "radio") and value not in opt["options"]:
        raise invalid_param("value", "An invalid setting value was passed.")
    if opt["type"] == "checkbox" and value not in ("yes", "no"):
        raise invalid_param("value", "Boolean value expected.")
    opt["value"] = value
    _sync_setting(ctx, opt)


@route(NS + "/settings", "GET", "list")
def settings_groups(ctx: Ctx) -> list:
    return [
        {
            "id": gid,
            "label": label,
            "description": "",
            "parent_id": "",
            "sub_groups": [],
            "_links": {"options": [{"href": f"{ctx.base}{NS}/settings/{gid}"}]},
        }
        for gid, label in ctx.state.setting_groups
    ]


@route(NS + "/settings/<group>", "GET", "list")
def settings_list(ctx: Ctx, group: str) -> list:
    if group not in {g for g, _ in ctx.state.setting_groups}:
        raise ApiError(404, "rest_setting_setting_group_invalid", "Invalid setting group.")
    return [R.setting_json(o, ctx.base) for o in ctx.state.options.values() if o["group_id"] == group]


@route(NS + "/settings/<group>/<oid>", "GET", "view")
def settings_get(ctx: Ctx, group: str, oid: str) -> dict:
    return R.setting_json(_option(ctx, group, oid), ctx.base)


@route(NS + "/settings/<group>/<oid>", "PUT,POST,PATCH", "edit")
def settings_update(ctx: Ctx, group: str, oid: str) -> dict:
    opt = _option(ctx, group, oid)
    data = _json_body(ctx)
    if not isinstance(data, dict) or "value" not in data:
        raise ApiError(400, "rest_missing_callback_param", "Missing parameter(s): value", params=["value"])
    _set_option(ctx, opt, data["value"])
    return R.setting_json(opt, ctx.base)


@route(NS + "/settings/<group>/batch", "POST,PUT,PATCH", "batch")
def settings_batch(ctx: Ctx, group: str) -> dict:
    data = _json_body(ctx)
    out = []
    for item in data.get("update", []) if isinstance(data, dict) else []:
        try:
            opt = _option(ctx, group, str(item.get("id")))
            _set_option(ctx, opt, item.get("value"))
            out.append(R.setting_json(opt, ctx.base))
        except ApiError as e:
            out.append(
                {
                    "id": item.get("id"),
                    "error": {"code": e.code, "message": e.message, "data": {"status": e.status}},
                }
            )
    return {"update": out}


def build_map() -> Map:
    rules = []
    seen: set[tuple[str, str]] = set()
    for path, method, action, fn in ROUTES:
        endpoint = f"{fn.__name__}:{method}"
        if (endpoint, path) in seen:
            continue
        seen.add((endpoint, path))
        rules.append(Rule(path, methods=[method], endpoint=(fn, action), strict_slashes=False))
    return Map(rules, strict_slashes=False)


URL_MAP = build_map()


def dispatch(state: ShopState, request: Request, base: str, body: Any) -> Ctx:
    """Route, authenticate and run one REST request; the handler runs under ``state.lock``."""
    from werkzeug.exceptions import MethodNotAllowed, NotFound

    ctx = Ctx(state=state, request=request, base=base, body=body)
    adapter = URL_MAP.bind("sandbox", path_info=request.path)
    method = request.headers.get("X-HTTP-Method-Override") or request.args.get("_method") or request.method
    try:
        (fn, action), kwargs = adapter.match(method=method.upper())
    except (NotFound, MethodNotAllowed):
        raise ApiError(
            404, "rest_no_route", "No route was found matching the URL and request method."
        ) from None
    if action != "public":
        authenticate(state, request, action)
    with state.lock:
        ctx.body = fn(ctx, **kwargs)
    for cb in ctx.after:
        cb()
    return ctx


_ = invalid_id
