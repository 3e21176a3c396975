"""The WSGI application: ``create_app(settings) -> SandboxApp`` (exposes ``.store``).

- POST /admin/api/<version>/graphql.json   the GraphQL Admin API (X-Shopify-Access-Token)
- /admin/oauth/authorize, /admin/oauth/access_token   the app install flow (oauth.py)
- /_sandbox/...   the control API (below), for tests and the demo
"""

from __future__ import annotations

import json
import re
import time
from collections import deque
from decimal import Decimal
from typing import Any

from graphql import GraphQLSchema, OperationDefinitionNode, execute, parse, validate
from graphql.error import GraphQLSyntaxError
from werkzeug.wrappers import Request, Response

from . import oauth, seed, webhooks
from .cost import Coster
from .faults import Faults, drop_connection
from .schema import SCOPES, build
from .store import Store

GRAPHQL_PATH = re.compile(r"^/admin/api/(?P<version>\d{4}-\d{2}|unstable)/graphql\.json$")
JSON = "application/json; charset=utf-8"


def _json(body: Any, status: int = 200, headers: dict | None = None) -> Response:
    return Response(
        json.dumps(body, ensure_ascii=False), status=status, headers=headers or {}, content_type=JSON
    )


class SandboxApp:
    def __init__(self, settings: dict | None = None, schema: GraphQLSchema | None = None):
        self.store = Store(settings)
        self.schema = schema or build()  # multishop.py shares one among its stores
        self.faults = Faults(self.store.settings.get("faults"))
        self._seed(self.store.settings.get("seed"))

    def _seed(self, args: Any) -> None:
        if args:
            seed.seed_store(self.store, **(args if isinstance(args, dict) else {}))

    def reset(self, seed_args: Any = None, settings: dict | None = None) -> None:
        with self.store.lock:
            if settings:
                self.store.settings.update(settings)
            self.store.clock_offset = 0.0
            self.store.reset_data()
            self.faults.reset(self.store.settings.get("faults"))
            self._seed(seed_args)

    # ------------------------------------------------------------------ WSGI
    def __call__(self, environ: dict, start_response: Any) -> Any:
        request = Request(environ)
        path = request.path
        m = GRAPHQL_PATH.match(path)
        if m and request.method == "POST":
            response = self._graphql(request, environ)
        elif path == "/admin/oauth/authorize":
            response = oauth.authorize(self.store, request)
            self._log(request, response.status_code)
        elif path == "/admin/oauth/access_token" and request.method == "POST":
            response = oauth.access_token(self.store, request)
            self._log(request, response.status_code)
        elif path.startswith("/_bulk/") and request.method == "GET":
            response = self._bulk_file(path)
            self._log(request, response.status_code)  # a request to the shop's storage: counted too
        elif path.startswith("/_sandbox"):
            response = self._control(request)
        else:
            response = Response("Not Found", status=404, content_type="text/plain")
        return response(environ, start_response)

    def _bulk_file(self, path: str) -> Response:
        name = path[len("/_bulk/") :].removesuffix(".jsonl")
        body = self.store.bulk_files.get(int(name)) if name.isdigit() else None
        if body is None:
            return Response("Not Found", status=404, content_type="text/plain")
        return Response(body, content_type="application/jsonl")

    def _log(self, request: Request, status: int, **extra: Any) -> None:
        self.store.log(
            {"time": time.time(), "method": request.method, "path": request.path, "status": status, **extra}
        )

    # ------------------------------------------------------------------ GraphQL
    def _graphql(self, request: Request, environ: dict) -> Response:
        store = self.store
        # where bulk results are served: with the multi-shop prefix (SCRIPT_NAME) when there is one
        store.base_url = request.root_url.rstrip("/")
        headers = {"X-Shopify-API-Version": store.settings["api_version"]}
        token = request.headers.get("X-Shopify-Access-Token", "")
        with store.lock:
            scope = store.tokens.get(token)
        if scope is None:
            self._log(request, 401)
            # Shopify's words for a missing or wrong token (docs/shopify-unknowns.md A1).
            return _json(
                {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"},
                401,
                headers,
            )
        early = self.faults.before()
        if early is not None:
            self._log(request, early.status_code, fault=True)
            return early
        try:
            payload = json.loads(request.get_data() or b"{}")
            query, variables = payload.get("query") or "", payload.get("variables") or {}
            document = parse(query)
        except (ValueError, AttributeError):
            self._log(request, 400)
            return _json({"errors": {"query": "Required parameter missing or invalid"}}, 400, headers)
        except GraphQLSyntaxError as exc:
            self._log(request, 200)
            return _json({"errors": [exc.formatted]}, 200, headers)
        problems = validate(self.schema, document)
        if problems:
            self._log(request, 200)
            return _json({"errors": [e.formatted for e in problems]}, 200, headers)
        operation = _operation(document, payload.get("operationName"))
        if operation is None:
            self._log(request, 200)
            return _json({"errors": [{"message": "An operation name is required"}]}, 200, headers)
        roots = [s.name.value for s in operation.selection_set.selections if hasattr(s, "name")]
        denied = [r for r in roots if r in SCOPES and not set(SCOPES[r]) & set(scope.split(","))]
        if denied:
            self._log(request, 200, roots=roots)
            return _json(
                {
                    "errors": [
                        {
                            "message": f"Access denied for {denied[0]} field. Required access: `{SCOPES[denied[0]][0]}` access scope.",
                            "extensions": {"code": "ACCESS_DENIED"},
                            "path": [denied[0]],
                        }
                    ]
                },
                200,
                headers,
            )
        coster = Coster(self.schema, document, operation, variables)
        requested = coster.requested()
        limit = store.settings["max_query_cost"]
        if limit is not None and requested > limit:
            self._log(request, 200, roots=roots, cost=requested)
            return _json(
                {
                    "errors": [
                        {
                            "message": f"Query cost is {requested}, which exceeds the single query max cost limit ({limit}).",
                            "extensions": {"code": "MAX_COST_EXCEEDED", "cost": requested, "maxCost": limit},
                        }
                    ]
                },
                200,
                headers,
            )
        if self.faults.throttle_now() or not store.bucket.take(requested):
            self._log(
                request, int(store.settings["throttle_status"]), roots=roots, cost=requested, throttled=True
            )
            return self._throttled(requested, headers)
        with store.lock:
            result = execute(
                self.schema,
                document,
                context_value=store,
                variable_values=variables,
                operation_name=payload.get("operationName"),
            )
        actual = coster.actual(result.data)
        store.bucket.settle(requested, actual)
        body: dict[str, Any] = {}
        if result.errors:
            body["errors"] = [e.formatted for e in result.errors]
        body["data"] = result.data
        body["extensions"] = {
            "cost": {
                "requestedQueryCost": requested,
                "actualQueryCost": actual,
                "throttleStatus": store.bucket.status(),
            }
        }
        is_mutation = operation.operation.value == "mutation"
        if is_mutation and self.faults.drop_after_mutation(roots):
            self._log(request, 200, roots=roots, cost=actual, dropped=True)
            drop_connection(environ)
            return Response(b"", status=200)
        self._log(request, 200, roots=roots, cost=actual, requested=requested, variables=variables)
        return _json(body, 200, headers)

    def _throttled(self, requested: int, headers: dict) -> Response:
        return _json(
            {
                "errors": [
                    {
                        "message": "Throttled",
                        "extensions": {
                            "code": "THROTTLED",
                            "documentation": "https://shopify.dev/api/usage/rate-limits",
                        },
                    }
                ],
                "extensions": {
                    "cost": {
                        "requestedQueryCost": requested,
                        "actualQueryCost": None,
                        "throttleStatus": self.store.bucket.status(),
                    }
                },
            },
            int(self.store.settings["throttle_status"]),
            headers,
        )

    # ------------------------------------------------------------------ control API
    def _control(self, request: Request) -> Response:
        store = self.store
        name = request.path[len("/_sandbox") :].strip("/")
        body = request.get_json(silent=True) or {}
        try:
            if name == "" and request.method == "GET":
                return _json(
                    {
                        "shop": store.shop(),
                        "products": len(store.products),
                        "orders": len(store.orders),
                        "throttleStatus": store.bucket.status(),
                        "faults": self.faults.config,
                    }
                )
            if name == "reset" and request.method == "POST":
                self.reset(body.get("seed"), body.get("settings"))
                return _json({"ok": True})
            if name == "settings" and request.method == "POST":
                with store.lock:
                    store.settings.update(body)
                    if {"bucket_size", "restore_rate"} & set(body):
                        store.bucket.size = float(store.settings["bucket_size"])
                        store.bucket.restore_rate = float(store.settings["restore_rate"])
                    if "request_log_limit" in body:  # a benchmark keeps every request of its run
                        store.request_log = deque(store.request_log, maxlen=int(body["request_log_limit"]))
                return _json(store.settings)
            if name == "tokens" and request.method == "POST":
                kw = {"scope": body["scope"]} if body.get("scope") else {}
                return _json({"access_token": store.issue_token(**kw)})
            if name == "bucket" and request.method == "POST":
                store.bucket.set_available(float(body["currentlyAvailable"]))
                return _json(store.bucket.status())
            if name == "faults" and request.method == "POST":
                return _json(self.faults.update(body))
            if name == "deliver" and request.method == "POST":
                app_ = store.settings["apps"][0]
                return _json(
                    webhooks.send(
                        body["url"],
                        body["topic"],
                        store.settings["shop_domain"],
                        body.get("payload", {}),
                        body.get("secret") or app_["client_secret"],
                        webhook_id=body.get("webhook_id"),
                    )
                )
            if name == "tax_override" and request.method == "POST":
                # the rate the shop's tax override gives a product (docs/shopify-unknowns.md T1)
                variant = store.variant_by_sku(body["sku"])
                if variant is None:
                    raise KeyError(f"no variant with SKU {body['sku']}")
                with store.lock:
                    store.products[variant["_product_id"]]["_tax_rate"] = Decimal(str(body["rate"]))
                return _json({"product_id": variant["_product_id"], "rate": str(body["rate"])})
            if name == "clock" and request.method == "POST":
                # later: what happens next has a later updatedAt than anything before (as WooCommerce's)
                with store.lock:
                    store.clock_offset += float(body.get("advance", 0))
                return _json({"now": store.now().isoformat()})
            if name == "uninstall" and request.method == "POST":
                store.uninstall()
                return _json({"uninstalled": True})
            if name == "deliveries" and request.method == "GET":
                store.hooks.wait_idle(float(request.args.get("wait", 5)))
                return _json(list(store.hooks.sent))
            if name == "requests" and request.method == "GET":
                since = int(request.args.get("since", 0))
                with store.lock:
                    return _json([e for e in store.request_log if e["seq"] > since])
            if name == "requests" and request.method == "DELETE":
                with store.lock:
                    store.request_log.clear()
                return _json({"ok": True})
            if name == "products" and request.method == "POST":
                product = store.add_product(
                    body["title"],
                    body["variants"],
                    status=body.get("status", "ACTIVE"),
                    tax_rate=Decimal(str(body.get("tax_rate", "0.255"))),
                )
                return _json({"id": product["id"], "variants": product["_variant_ids"]}, 201)
            if name == "orders" and request.method == "POST":
                lines = [(_variant(store, line), int(line["quantity"])) for line in body["lines"]]
                kw: dict[str, Any] = {}
                if "shipping" in body:
                    kw["shipping"] = (
                        (body["shipping"]["title"], Decimal(str(body["shipping"]["price"])))
                        if body["shipping"]
                        else None
                    )
                if "email" in body:  # the buyer's (Order.email)
                    kw["email"] = body["email"]
                if "discount_percent" in body:
                    kw["discount_percent"] = Decimal(str(body["discount_percent"]))
                if "gateway" in body:
                    kw["gateway"] = str(body["gateway"])
                if body.get("billing") is not None:
                    kw["billing"] = dict(body["billing"])
                order = store.place_order(lines, **kw)
                return _json(
                    {
                        "id": order["id"],
                        "name": order["name"],
                        "line_items": [li["id"] for li in order["_line_items"]],
                        "total": str(order["_total"]),
                    },
                    201,
                )
            if name in ("cancel", "fulfil") and request.method == "POST":
                # what the merchant does in the admin (Silta never cancels or fulfils)
                order = store.cancel(body["order_id"]) if name == "cancel" else store.fulfil(body["order_id"])
                return _json({"id": order["id"], "updatedAt": order["updatedAt"]})
            if name == "refunds" and request.method == "POST":
                amount = body.get("amount")
                refund = store.refund(
                    body["order_id"],
                    [(x["line_item_id"], int(x["quantity"])) for x in body.get("lines", [])],
                    shipping=bool(body.get("shipping")),
                    amount=Decimal(str(amount)) if amount is not None else None,
                    note=body.get("note"),
                )
                return _json({"id": refund["id"]}, 201)
        except (KeyError, ValueError, TypeError) as exc:
            return _json({"error": f"{type(exc).__name__}: {exc}"}, 400)
        return _json({"error": "not found"}, 404)


def _variant(store: Store, line: dict) -> str:
    if "variant_id" in line:
        return str(line["variant_id"])
    variant = store.variant_by_sku(line["sku"])
    if variant is None:
        raise KeyError(f"no variant with SKU {line['sku']}")
    return str(variant["id"])


def _operation(document: Any, name: str | None) -> OperationDefinitionNode | None:
    ops = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name:
        return next((o for o in ops if o.name and o.name.value == name), None)
    return ops[0] if len(ops) == 1 else None


def create_app(settings: dict | None = None) -> SandboxApp:
    """A fresh sandbox store. ``settings``: see ``store.DEFAULT_SETTINGS``."""
    return SandboxApp(settings)
