"""Many independent sandbox shops in one WSGI app, each like a WordPress site in a subdirectory.

``/shops/<name>/…`` (name ``[A-Za-z0-9_-]{1,64}``) is served by that shop's own ``SandboxApp``,
created on first use from a copy of the settings. The prefix moves from PATH_INFO to SCRIPT_NAME,
so the shop sees the paths a single shop sees (``/wp-json/…``, ``/_sandbox/…``) and puts
``<host>/shops/<name>`` into every URL it builds (``Link``, ``_links``, ``X-WC-Webhook-Source``,
the wc-auth form, the OAuth base URL). Control routes of the whole process are in ``ROUTES``;
anything else answers 404 as a single shop does.
"""

from __future__ import annotations

import copy
import json
import re
import threading
from typing import Any

from werkzeug.wrappers import Request, Response

from .app import SandboxApp, _json_response
from .errors import ApiError
from .state import DEFAULT_SETTINGS

ROUTES = [
    "GET /_sandbox/  (this list)",
    "GET /_sandbox/shops  → [{name, url, products, orders}]",
    "POST /_sandbox/shops {name, seed?: null|true|{products, orders, seed, ...}, settings?: {...}}  → {name, url}: "
    "201 created, 200 when it existed and was reset (as its /_sandbox/reset)",
    "ANY /shops/<name>/...  one shop (/wp-json/..., /wc-auth/v1/..., /_sandbox/...), created on first use",
]
SHOP_PATH = re.compile(r"/shops/([A-Za-z0-9_-]{1,64})(/.*)?", re.DOTALL)
SHOP_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
NOT_FOUND_HTML = (
    "<!DOCTYPE html><html><head><title>Page not found</title></head><body><h1>Oops! That page "
    "can&rsquo;t be found.</h1></body></html>"
)
_DEFAULT = object()  # "no seed given": use the settings' seed


class MultiShopApp:
    def __init__(self, settings: dict | None = None):
        self.settings: dict[str, Any] = copy.deepcopy(settings or {})
        unknown = set(self.settings) - set(DEFAULT_SETTINGS)
        if unknown:
            raise ValueError(f"unknown sandbox settings: {sorted(unknown)}")
        self.shops: dict[str, SandboxApp] = {}
        self.lock = threading.Lock()

    def shop(self, name: str) -> SandboxApp:
        """The shop ``name``, created from the settings on first use."""
        app = self.shops.get(name)
        if app is None:
            with self.lock:  # two first requests at once must not make two shops
                app = self.shops.get(name)
                if app is None:
                    app = self.shops[name] = SandboxApp(copy.deepcopy(self.settings))
        return app

    def create(self, name: str, seed: Any = _DEFAULT, settings: dict | None = None) -> bool:
        """Create shop ``name`` or reset it (same data reset as its ``/_sandbox/reset``); True when created."""
        settings = copy.deepcopy(settings or {})
        with self.lock:
            app = self.shops.get(name)
            if app is None:
                merged = {**copy.deepcopy(self.settings), **settings}
                if seed is not _DEFAULT:
                    merged["seed"] = seed
                self.shops[name] = SandboxApp(merged)
                return True
        if seed is _DEFAULT:
            seed = {**app.state.settings, **settings}.get("seed")
        # Outside the registry lock: a reset waits for the shop's webhook queue.
        app.reset(seed_args=seed, settings=settings)
        return False

    # ------------------------------------------------------------------ WSGI
    def __call__(self, environ: dict, start_response):
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
            response = _json_response({"routes": ROUTES, "shops": len(self.shops)})
        elif path.startswith("/_sandbox"):
            e = ApiError(404, "sandbox_no_route", f"No sandbox control route {request.method} {request.path}")
            response = _json_response(e.body(), e.status)
        else:
            response = Response(NOT_FOUND_HTML, status=404, content_type="text/html; charset=UTF-8")
        return response(environ, start_response)

    def _shops(self, request: Request) -> Response:
        root = request.root_url.rstrip("/")
        if request.method == "GET":
            with self.lock:
                shops = sorted(self.shops.items())
            out = []
            for name, app in shops:
                with app.state.lock:
                    counts = {"products": len(app.state.products), "orders": len(app.state.orders)}
                out.append({"name": name, "url": f"{root}/shops/{name}", **counts})
            return _json_response(out)
        if request.method != "POST":
            e = ApiError(404, "sandbox_no_route", f"No sandbox control route {request.method} {request.path}")
            return _json_response(e.body(), e.status)
        try:
            data = json.loads(request.get_data() or b"{}")
        except ValueError:
            data = None
        if not isinstance(data, dict):
            return _json_response({"error": "body must be a JSON object"}, 400)
        name, settings = data.get("name"), data.get("settings") or {}
        if not isinstance(name, str) or not SHOP_NAME.fullmatch(name):
            return _json_response({"error": "name must match [A-Za-z0-9_-]{1,64}"}, 400)
        if not isinstance(settings, dict) or set(settings) - set(DEFAULT_SETTINGS):
            return _json_response(
                {"error": f"settings: an object with keys of {sorted(DEFAULT_SETTINGS)}"}, 400
            )
        try:
            created = self.create(name, data.get("seed", _DEFAULT), settings)
        except (TypeError, ValueError) as e:  # e.g. an unknown seed_shop() argument
            return _json_response({"error": str(e)}, 400)
        return _json_response({"name": name, "url": f"{root}/shops/{name}"}, 201 if created else 200)
