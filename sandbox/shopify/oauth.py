"""The app install flow (authorization code grant) as Shopify's reference describes it.

GET /admin/oauth/authorize?client_id&scope&redirect_uri&state shows the merchant's approval page
(or, with ``auto_approve_install``, approves at once); approving redirects to ``redirect_uri``
with ``code``, ``hmac``, ``shop``, ``state`` and ``timestamp``. ``hmac`` is the hex HMAC-SHA256
of the other parameters, sorted and joined as a query string, keyed with the app's client secret.
POST /admin/oauth/access_token exchanges the code (once) for ``{access_token, scope}``.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import secrets
import time
from urllib.parse import urlencode

from werkzeug.wrappers import Request, Response

from .store import Store

CODE_LIFETIME = 600  # seconds (docs/shopify-unknowns.md A2)


def sign(params: dict[str, str], secret: str) -> str:
    message = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k != "hmac")
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def _app(store: Store, client_id: str | None) -> dict | None:
    return next((a for a in store.settings["apps"] if a["client_id"] == client_id), None)


def _json(body: dict, status: int) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json; charset=utf-8")


def authorize(store: Store, request: Request) -> Response:
    params = request.values
    app = _app(store, params.get("client_id"))
    redirect_uri = params.get("redirect_uri") or ""
    if app is None:
        return Response("Oauth error invalid_request: The client_id is invalid", status=400)
    if not redirect_uri.startswith(("http://", "https://")):
        return Response(
            "Oauth error invalid_request: The redirect_uri is missing or not whitelisted", status=400
        )
    scope = params.get("scope") or ""
    state = params.get("state") or ""
    if request.method == "GET" and not store.settings["auto_approve_install"]:
        return _approval_page(store, request.script_root, app["client_id"], scope, redirect_uri, state)
    if request.method == "POST" and request.form.get("decision") != "install":
        return Response("The merchant declined the installation.", status=200, content_type="text/plain")
    code = secrets.token_hex(16)
    with store.lock:
        store.codes[code] = {
            "client_id": app["client_id"],
            "scope": scope,
            "expires": time.time() + CODE_LIFETIME,
        }
    query = {
        "code": code,
        "shop": store.settings["shop_domain"],
        "state": state,
        "timestamp": str(int(time.time())),
    }
    query["hmac"] = sign(query, app["client_secret"])
    sep = "&" if "?" in redirect_uri else "?"
    return Response(status=302, headers={"Location": redirect_uri + sep + urlencode(query)})


def _approval_page(
    store: Store, script_root: str, client_id: str, scope: str, redirect_uri: str, state: str
) -> Response:
    e = html.escape
    hidden = "".join(
        f'<input type="hidden" name="{e(k)}" value="{e(v)}">'
        for k, v in (
            ("client_id", client_id),
            ("scope", scope),
            ("redirect_uri", redirect_uri),
            ("state", state),
        )
    )
    scopes = "".join(f"<li>{e(s)}</li>" for s in scope.split(",") if s)
    body = (
        "<!DOCTYPE html><html><head><title>Install app</title></head><body>"
        f"<h1>Install app on {e(store.settings['shop_domain'])}</h1>"
        f"<p>The app asks for:</p><ul>{scopes}</ul>"
        # script_root: the multi-shop prefix /shops/<name> (empty for a single store)
        f'<form method="post" action="{e(script_root)}/admin/oauth/authorize">{hidden}'
        '<button type="submit" name="decision" value="install">Install app</button> '
        '<button type="submit" name="decision" value="cancel">Cancel</button></form></body></html>'
    )
    return Response(body, content_type="text/html; charset=utf-8")


def access_token(store: Store, request: Request) -> Response:
    if request.mimetype == "application/json":
        try:
            params = json.loads(request.get_data() or b"{}")
        except ValueError:
            params = {}
    else:
        params = request.form.to_dict()
    app = _app(store, params.get("client_id"))
    if app is None or not hmac.compare_digest(str(params.get("client_secret", "")), app["client_secret"]):
        return _json({"error": "invalid_client", "error_description": "Client credentials are invalid"}, 400)
    with store.lock:
        grant = store.codes.pop(str(params.get("code", "")), None)
    if grant is None or grant["client_id"] != app["client_id"] or grant["expires"] < time.time():
        return _json(
            {
                "error": "invalid_request",
                "error_description": "The authorization code was not found or was already used",
            },
            400,
        )
    token = store.issue_token(grant["scope"])
    return _json({"access_token": token, "scope": grant["scope"]}, 200)
