"""``/wc-auth/v1/authorize``: the key-approval page of WooCommerce's app authentication.

GET ``/wc-auth/v1/authorize?app_name&scope&user_id&return_url&callback_url`` shows the
page (the shop admin is taken as logged in). "Approve" creates an API key with the
requested scope, POSTs ``{key_id, user_id, consumer_key, consumer_secret, key_permissions}``
as JSON to ``callback_url`` (server to server), then redirects the browser to
``return_url?success=1&user_id=…``. "Deny" redirects to ``return_url?success=0&user_id=…``.
As in WooCommerce, the callback must answer 200, otherwise the key is revoked and an
error page is shown.
"""

from __future__ import annotations

import html
import json
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
from werkzeug.wrappers import Request, Response

from .state import ShopState

PARAMS = ("app_name", "scope", "user_id", "return_url", "callback_url")
SCOPES = {"read": "Read", "write": "Write", "read_write": "Read/Write"}
PERMISSIONS = {
    "read": ["View coupons", "View customers", "View orders and sales reports", "View products"],
    "write": ["Create webhooks", "Create coupons", "Create customers", "Create orders", "Create products"],
    "read_write": [
        "Create webhooks",
        "View and manage coupons",
        "View and manage customers",
        "View and manage orders and sales reports",
        "View and manage products",
    ],
}


def _page(title: str, body: str, status: int = 200) -> Response:
    doc = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f'<title>{html.escape(title)}</title></head><body class="wc-auth wp-core-ui">'
        f'<h1 id="wc-logo">WooCommerce</h1><div class="wc-auth-content">{body}</div></body></html>'
    )
    return Response(doc, status=status, content_type="text/html; charset=UTF-8")


def _error(message: str, status: int = 400) -> Response:
    return _page("Error", f'<p class="wc-auth-error">Error: {html.escape(message)}</p>', status)


def _params(request: Request) -> dict:
    src = request.form if request.method == "POST" else request.args
    return {k: src.get(k, "") for k in PARAMS}


def _validate(p: dict, state: ShopState) -> str | None:
    for k in PARAMS:
        if not p.get(k):
            return f"Missing parameter {k}"
    if p["scope"] not in SCOPES:
        return f"Invalid scope {p['scope']}"
    for k in ("return_url", "callback_url"):
        if not re.match(r"^https?://[^\s/]+", p[k]):
            return f"The {k} is not a valid URL"
    if state.settings["wc_auth_require_https_callback"] and not p["callback_url"].lower().startswith(
        "https://"
    ):
        return "The callback_url needs to be over SSL"
    return None


def _with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    q = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    q += list(params.items())
    return urlunsplit(parts._replace(query=urlencode(q)))


def _redirect(url: str) -> Response:
    return Response("", status=302, headers={"Location": url})


def authorize(state: ShopState, request: Request) -> Response:
    p = _params(request)
    problem = _validate(p, state)
    if problem:
        return _error(problem)
    state.bump("wc_auth_views")
    app = html.escape(p["app_name"])
    hidden = "".join(f'<input type="hidden" name="{k}" value="{html.escape(p[k])}">' for k in PARAMS)
    perms = "".join(f"<li>{html.escape(x)}</li>" for x in PERMISSIONS[p["scope"]])
    root = html.escape(request.script_root)  # the /shops/<name> mount in multi-shop mode, else ""
    body = (
        f"<h1>{app} would like to connect to your store</h1>"
        f"<p>This will give &quot;<strong>{app}</strong>&quot; <strong>{SCOPES[p['scope']]}</strong> "
        f'access which will allow it to:</p><ul class="wc-auth-permissions">{perms}</ul>'
        '<div class="wc-auth-logged-in-as"><p>Logged in as admin</p></div>'
        f'<form method="post" action="{root}/wc-auth/v1/access_granted" class="wc-auth-actions">{hidden}'
        '<button type="submit" id="wc-auth-approve" name="action" value="approve" '
        'class="button button-primary wc-auth-approve">Approve</button> '
        '<button type="submit" id="wc-auth-deny" name="action" value="deny" '
        f'formaction="{root}/wc-auth/v1/access_denied" class="button wc-auth-deny">Deny</button>'
        "</form>"
    )
    return _page("Access request", body)


def access_denied(state: ShopState, request: Request) -> Response:
    p = _params(request)
    problem = _validate(p, state)
    if problem:
        return _error(problem)
    state.bump("wc_auth_denied")
    return _redirect(_with_query(p["return_url"], success="0", user_id=p["user_id"]))


def access_granted(state: ShopState, request: Request) -> Response:
    p = _params(request)
    if request.method == "POST" and request.form.get("action") == "deny":
        return access_denied(state, request)
    problem = _validate(p, state)
    if problem:
        return _error(problem)
    date = state.local(state.now()).replace("T", " ")
    key = state.add_key(p["scope"], description=f"{p['app_name']} - API ({date})")
    user_id: int | str = int(p["user_id"]) if p["user_id"].isdigit() else p["user_id"]
    payload = {
        "key_id": key["key_id"],
        "user_id": user_id,
        "consumer_key": key["consumer_key"],
        "consumer_secret": key["consumer_secret"],
        "key_permissions": key["permissions"],
    }
    try:
        r = requests.post(
            p["callback_url"],
            data=json.dumps(payload),
            headers={"Content-Type": "application/json", "User-Agent": "WordPress; WooCommerce sandbox"},
            timeout=state.settings["wc_auth_callback_timeout"],
        )
        ok = r.status_code == 200
    except requests.RequestException:
        ok = False
    if not ok:
        with state.lock:
            state.keys.pop(key["consumer_key"], None)
        state.bump("wc_auth_callback_failed")
        return _error(
            "An error occurred in the request and at the time were unable to send the consumer data", 401
        )
    state.bump("wc_auth_granted")
    return _redirect(_with_query(p["return_url"], success="1", user_id=p["user_id"]))
