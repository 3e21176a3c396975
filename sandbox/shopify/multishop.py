"""Many independent sandbox Shopify stores in one WSGI app, as the WooCommerce sandbox's multi-shop mode.

``/shops/<name>/…`` is served by the store ``<name>.myshopify.com``: its own ``SandboxApp``
(catalogue, orders, tokens, cost bucket, webhook subscriptions, faults), created on first use from
a copy of the settings with ``shop_domain`` set to ``<name>.myshopify.com``. ``<name>`` is a
myshopify subdomain (lower-case letters, digits and inner hyphens, as Silta's
``integration/webshops/shopify/domain.py`` accepts). The prefix moves from PATH_INFO to
SCRIPT_NAME, so the store sees the paths a single store sees (``/admin/api/…``,
``/admin/oauth/…``, ``/_sandbox/…``) and puts ``<host>/shops/<name>`` into the URLs it builds
(bulk result files, the approval page's form). The install redirect's ``shop`` parameter and every
webhook's ``X-Shopify-Shop-Domain`` name that store. Control routes of the whole process are in
``ROUTES``; anything else answers 404 as a single store does.
"""

from __future__ import annotations

import copy
import json
import re
import threading
from typing import Any

from werkzeug.wrappers import Request, Response

from .app import SandboxApp, _json
from .schema import build
from .store import DEFAULT_SETTINGS

ROUTES = [
    "GET /_sandbox/  (this list)",
    "GET /_sandbox/shops  → [{name, shop_domain, url, products, orders}]",
    "POST /_sandbox/shops {name, seed?: null|{products, orders, seed}, settings?: {...}}  → "
    "{name, shop_domain, url}: 201 created, 200 when it existed and was reset (as its /_sandbox/reset)",
    "ANY /shops/<name>/...  the store <name>.myshopify.com (/admin/api/..., /admin/oauth/..., "
    "/_sandbox/...), created on first use",
]
_NAME = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"  # a myshopify subdomain (no leading/trailing hyphen)
SHOP_PATH = re.compile(rf"/shops/({_NAME})(/.*)?", re.DOTALL)
SHOP_NAME = re.compile(_NAME)
# The name decides the domain; every other setting may differ per store.
PER_SHOP_SETTINGS = sorted(set(DEFAULT_SETTINGS) - {"shop_domain"})
_DEFAULT = object()  # "no seed given": use the settings' seed


def shop_domain(name: str) -> str:
    return f"{name}.myshopify.com"


class MultiShopApp:
    def __init__(self, settings: dict | None = None):
        self.settings: dict[str, Any] = copy.deepcopy(settings or {})
        unknown = set(self.settings) - set(PER_SHOP_SETTINGS)
        if unknown:
            raise ValueError(f"unknown or per-store sandbox settings: {sorted(unknown)}")
        self.schema = build()  # stateless (resolvers read the store from the context): one for all
        self.shops: dict[str, SandboxApp] = {}
        self.lock = threading.Lock()

    def _new(self, name: str, settings: dict) -> SandboxApp:
        return SandboxApp({**settings, "shop_domain": shop_domain(name)}, schema=self.schema)

    def shop(self, name: str) -> SandboxApp:
        """The store ``name``, created from the settings on first use."""
        app = self.shops.get(name)
        if app is None:
            with self.lock:  # two first requests at once must not make two stores
                app = self.shops.get(name)
                if app is None:
                    app = self.shops[name] = self._new(name, copy.deepcopy(self.settings))
        return app

    def create(self, name: str, seed: Any = _DEFAULT, settings: dict | None = None) -> bool:
        """Create store ``name`` or reset it (as its ``/_sandbox/reset``); True when created."""
        settings = copy.deepcopy(settings or {})
        if "shop_domain" in settings:
            raise ValueError("shop_domain is the store's name + .myshopify.com")
        with self.lock:
            app = self.shops.get(name)
            if app is None:
                merged = {**copy.deepcopy(self.settings), **settings}
                if seed is not _DEFAULT:
                    merged["seed"] = seed
                self.shops[name] = self._new(name, merged)
                return True
        if seed is _DEFAULT:
            seed = {**app.store.settings, **settings}.get("seed")
        # Outside the registry lock: a reset takes the store's lock.
        app.reset(seed_args=seed, settings=settings)
        return False

    # ------------------------------------------------------------------ WSGI
    def __call__(self, environ: dict, start_response: Any) -> Any:
        m = SHOP_PATH.fullmatch(environ.get("PATH_INFO") or "/")
        if m:
            name = m.group(1)
            shop_env = dict(environ)
            shop_env["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "").rstrip("/") + "/shops/" + name
            shop_env["PATH_INFO"] = m.group(2) or ""
            return self.shop(name)(shop_env, start_response)
        request = Request(environ)
        path = request.path.rstrip("/")
        if path == "/_sandbox/shops":
            response = self._shops(request)
        elif path == "/_sandbox" and request.method == "GET":
            response = _json({"routes": ROUTES, "shops": len(self.shops)})
        elif path.startswith("/_sandbox"):
            response = _json({"error": "not found"}, 404)  # as a single store's control API
        else:
            response = Response("Not Found", status=404, content_type="text/plain")
        return response(environ, start_response)

    def _shops(self, request: Request) -> Response:
        root = request.root_url.rstrip("/")
        if request.method == "GET":
            with self.lock:
                shops = sorted(self.shops.items())
            out = []
            for name, app in shops:
                with app.store.lock:
                    counts = {"products": len(app.store.products), "orders": len(app.store.orders)}
                out.append(
                    {"name": name, "shop_domain": shop_domain(name), "url": f"{root}/shops/{name}", **counts}
                )
            return _json(out)
        if request.method != "POST":
            return _json({"error": "not found"}, 404)
        try:
            data = json.loads(request.get_data() or b"{}")
        except ValueError:
            data = None
        if not isinstance(data, dict):
            return _json({"error": "body must be a JSON object"}, 400)
        name, settings = data.get("name"), data.get("settings") or {}
        if not isinstance(name, str) or not SHOP_NAME.fullmatch(name):
            return _json(
                {"error": "name must be a myshopify subdomain: a-z, 0-9 and inner hyphens, 1-63"}, 400
            )
        if not isinstance(settings, dict) or set(settings) - set(PER_SHOP_SETTINGS):
            return _json({"error": f"settings: an object with keys of {PER_SHOP_SETTINGS}"}, 400)
        try:
            created = self.create(name, data.get("seed", _DEFAULT), settings)
        except (TypeError, ValueError) as e:  # e.g. an unknown seed_store() argument
            return _json({"error": str(e)}, 400)
        body = {"name": name, "shop_domain": shop_domain(name), "url": f"{root}/shops/{name}"}
        return _json(body, 201 if created else 200)
