"""Control API under ``/_sandbox/`` (JSON, no authentication) for tests and the demo.

See the module docstring of ``sandbox.woocommerce`` for the route list.
"""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime
from typing import Any

from werkzeug.wrappers import Request

from . import catalog, orders, seed
from . import resources as R
from .errors import ApiError
from .state import DEFAULT_SETTINGS, YES_NO_OPTIONS, ShopState
from .totals import NegativeFeeTax

ROUTES = [
    "GET /_sandbox/  (this list)",
    "GET /_sandbox/health | /_sandbox/state",
    "POST /_sandbox/reset {seed: null|true|{products, orders, seed, ...}, settings: {...}}",
    "POST /_sandbox/seed {products, orders, seed, legacy_duplicates, variable_every, order_days}",
    "GET|POST /_sandbox/keys {permissions: read|write|read_write, consumer_key?, consumer_secret?, description?}",
    "DELETE /_sandbox/keys/<consumer_key>",
    "GET|POST|PATCH /_sandbox/settings {<create_app settings keys>}",
    "GET|POST /_sandbox/coupons {code, discount_type: percent|fixed_cart|fixed_product, amount, "
    "limit_usage_to_x_items?, exclude_sale_items?} ; DELETE /_sandbox/coupons/<code>",
    "GET|POST|PATCH|DELETE /_sandbox/faults {latency_ms, error_rate, error_statuses, seed, fail_next, fail_status, "
    "drop_after_write_rate, drop_next_writes, rate_limit_burst, rate_limit_retry_after, paths}",
    "GET|POST /_sandbox/clock {advance: seconds} | {set: ISO GMT} | {offset: seconds}",
    "POST /_sandbox/orders {checkout spec: line_items[{product_id|variation_id|sku, quantity}], billing, shipping, "
    "shipping_lines[{method_id, instance_id?, total?}], fee_lines, coupon_lines, payment_method, status}",
    "POST /_sandbox/orders/random {count, seed?}",
    "POST|PATCH /_sandbox/orders/<id> {status, ..., plugin_total_tax, recalculate}  (as the shop owner; a "
    "plugin's own VAT total; wp-admin's Recalculate)",
    "POST|PATCH /_sandbox/products/<id> {fields}  (edit by hand in wp-admin)",
    "POST|PATCH /_sandbox/products/<id>/variations/<vid> {fields}",
    "POST /_sandbox/products/legacy {fields incl. a duplicate sku}",
    "GET|DELETE /_sandbox/requests?since=SEQ&path=/wp-json/wc/v3/products&method=POST",
    "GET|DELETE /_sandbox/counters",
    "GET /_sandbox/webhooks  (incl. secret, failure_count)",
    "GET|DELETE /_sandbox/webhooks/deliveries",
    "POST /_sandbox/webhooks/wait {timeout}",
]


def _body(request: Request) -> dict:
    data = request.get_json(silent=True, force=True)
    return data if isinstance(data, dict) else {}


def _summary(state: ShopState) -> dict:
    return {
        "products": len(state.products),
        "variations": len(state.variations),
        "orders": len(state.orders),
        "refunds": len(state.refunds),
        "webhooks": len(state.webhooks),
        "keys": len(state.keys),
        "requests_logged": len(state.request_log),
        "clock_offset": state.clock_offset,
        "now_gmt": state.gmt(state.now()),
    }


def _public_key(k: dict) -> dict:
    return {
        x: k[x]
        for x in (
            "key_id",
            "user_id",
            "description",
            "permissions",
            "consumer_key",
            "consumer_secret",
            "truncated_key",
            "last_access",
        )
    }


def handle(app, request: Request, base: str) -> tuple[Any, int]:
    """Returns (json body, status)."""
    state: ShopState = app.state
    path = request.path[len("/_sandbox") :].rstrip("/") or "/"
    m = request.method
    data = _body(request) if m in ("POST", "PUT", "PATCH", "DELETE") else {}

    if path == "/" and m == "GET":
        return {"routes": ROUTES, **_summary(state)}, 200

    if path in ("/health", "/state") and m == "GET":
        with state.lock:
            return {"ok": True, "base_url": base, **_summary(state)}, 200

    if path == "/reset" and m == "POST":
        app.reset(seed_args=data.get("seed"), settings=data.get("settings"))
        with state.lock:
            return {"ok": True, **_summary(state)}, 200

    if path == "/seed" and m == "POST":
        args = {
            k: v
            for k, v in data.items()
            if k in ("products", "orders", "seed", "legacy_duplicates", "variable_every", "order_days")
        }
        return seed.seed_shop(state, **args), 200

    if path == "/keys":
        if m == "GET":
            with state.lock:
                return [_public_key(k) for k in state.keys.values()], 200
        if m == "POST":
            try:
                key = state.add_key(
                    data.get("permissions", "read_write"),
                    consumer_key=data.get("consumer_key"),
                    consumer_secret=data.get("consumer_secret"),
                    description=data.get("description", "sandbox"),
                    user_id=int(data.get("user_id", 1)),
                )
            except ValueError as e:
                return {"error": str(e)}, 400
            return _public_key(key), 201
    mk = re.fullmatch(r"/keys/([^/]+)", path)
    if mk and m == "DELETE":
        with state.lock:
            k = state.keys.pop(mk.group(1), None)
        return ({"deleted": True}, 200) if k else ({"error": "no such key"}, 404)

    if path == "/settings":
        if m in ("POST", "PUT", "PATCH"):
            unknown = set(data) - set(DEFAULT_SETTINGS)
            if unknown:
                return {"error": f"unknown settings: {sorted(unknown)}"}, 400
            modes = [m.value for m in NegativeFeeTax]
            if "negative_fee_tax" in data and data["negative_fee_tax"] not in modes:
                return {"error": f"negative_fee_tax must be one of {', '.join(modes)}"}, 400
            with state.lock:
                state.settings.update(data)
                _sync_options(state)
                if "request_log_limit" in data:
                    state.resize_request_log(int(data["request_log_limit"]))
        with state.lock:
            return dict(state.settings), 200

    if path == "/coupons":
        if m == "POST":
            try:
                coupon = orders.coupon_from(data)
            except ValueError as e:
                return {"error": str(e)}, 400
            with state.lock:
                state.coupons[coupon["code"]] = coupon
            return coupon, 201
        with state.lock:
            return list(state.coupons.values()), 200
    mc = re.fullmatch(r"/coupons/([^/]+)", path)
    if mc and m == "DELETE":
        with state.lock:
            c = state.coupons.pop(mc.group(1).lower(), None)
        return ({"deleted": True}, 200) if c else ({"error": "no such coupon"}, 404)

    if path == "/faults":
        try:
            if m in ("POST", "PUT", "PATCH"):
                return app.faults.update(data), 200
            if m == "DELETE":
                return app.faults.reset(), 200
        except ValueError as e:
            return {"error": str(e)}, 400
        return app.faults.snapshot(), 200

    if path == "/clock":
        with state.lock:
            if m == "POST":
                if "advance" in data:
                    state.clock_offset += float(data["advance"])
                if "set" in data:
                    target = state.parse_date(data["set"], gmt=True)
                    state.clock_offset = (target - datetime.now(UTC)).total_seconds()
                if "offset" in data:
                    state.clock_offset = float(data["offset"])
            return {
                "offset": state.clock_offset,
                "now": state.local(state.now()),
                "now_gmt": state.gmt(state.now()),
            }, 200

    if path == "/orders" and m == "POST":
        with state.lock:
            spec = dict(data)
            spec.setdefault("status", "processing")
            o = orders.create_order(state, spec, created_via="checkout")
            return R.order_json(state, o, base), 201

    if path == "/orders/random" and m == "POST":
        rng = random.Random(data["seed"]) if "seed" in data else None
        out = []
        for _ in range(int(data.get("count", 1))):
            o = seed.place_random_order(state, rng)
            with state.lock:
                out.append(R.order_json(state, o, base))
        return out, 201

    mo = re.fullmatch(r"/orders/(\d+)", path)
    if mo and m in ("POST", "PUT", "PATCH"):
        data = dict(data) if isinstance(data, dict) else data
        # not the REST API's: a plugin that writes the receipt's VAT total itself (the receipt then disagrees
        # with its own tax lines), and wp-admin's Recalculate button (WC_Order::calculate_totals) that mends it
        plugin_vat = data.pop("plugin_total_tax", None) if isinstance(data, dict) else None
        recalc = data.pop("recalculate", False) if isinstance(data, dict) else False
        with state.lock:
            o = orders.update_order(state, int(mo.group(1)), data)  # as the shop owner in wp-admin
            if plugin_vat is not None:
                o["total_tax"] = R.money(plugin_vat)
            if recalc:
                orders.recalculate(state, o)
            return R.order_json(state, o, base), 200

    mp = re.fullmatch(r"/products/(\d+)", path)
    if mp and m in ("POST", "PUT", "PATCH"):
        with state.lock:
            rec = catalog.update_product(state, int(mp.group(1)), data)  # edit "by hand" in wp-admin
            return R.product_json(state, rec, base), 200
    mv = re.fullmatch(r"/products/(\d+)/variations/(\d+)", path)
    if mv and m in ("POST", "PUT", "PATCH"):
        with state.lock:
            rec = catalog.update_variation(state, int(mv.group(1)), int(mv.group(2)), data)
            return R.variation_json(state, rec, base), 200
    if path == "/products/legacy" and m == "POST":
        # A product as old data may hold it: its SKU is not checked for uniqueness.
        with state.lock:
            sku = data.pop("sku", "")
            rec = catalog.create_product(state, data)
            rec["sku"] = sku
            catalog.index_sku(state, rec)
            return R.product_json(state, rec, base), 201

    if path == "/requests":
        if m == "DELETE":
            with state.lock:
                state.request_log.clear()
            return {"ok": True}, 200
        since = int(request.args.get("since", 0))
        prefix = request.args.get("path") or request.args.get("path_prefix") or ""
        method = request.args.get("method", "").upper()
        with state.lock:
            items = [
                e
                for e in state.request_log
                if e["seq"] > since and e["path"].startswith(prefix) and (not method or e["method"] == method)
            ]
        return items, 200

    if path == "/counters":
        if m == "DELETE":
            with state.lock:
                state.counters.clear()
        with state.lock:
            return dict(state.counters), 200

    if path == "/webhooks" and m == "GET":
        with state.lock:
            return [
                {
                    "id": w["id"],
                    "name": w["name"],
                    "status": w["status"],
                    "topic": w["topic"],
                    "delivery_url": w["delivery_url"],
                    "secret": w["_secret"],
                    "failure_count": w.get("_failures", 0),
                }
                for w in state.webhooks.values()
            ], 200
    if path == "/webhooks/deliveries":
        if m == "DELETE":
            with state.lock:
                state.deliveries.clear()
            return {"ok": True}, 200
        with state.lock:
            return list(state.deliveries), 200
    if path == "/webhooks/wait" and m == "POST":
        ok = state.webhooks_dispatcher.wait_idle(float(data.get("timeout", 10)))
        return {"idle": ok}, 200

    raise ApiError(404, "sandbox_no_route", f"No sandbox control route {m} {request.path}")


def _sync_options(state: ShopState) -> None:
    s = state.settings
    opts = state.options
    if "woocommerce_currency" in opts:
        opts["woocommerce_currency"]["value"] = s["currency"]
    for option, key in YES_NO_OPTIONS.items():
        if option in opts:
            opts[option]["value"] = "yes" if s[key] else "no"
