"""REST API key authentication, as WooCommerce's ``WC_REST_Authentication`` answers.

Credentials: HTTP Basic (consumer key as user, secret as password), the
``consumer_key`` / ``consumer_secret`` query-string parameters, or OAuth 1.0a
"one-legged" (``oauth_*`` query parameters or an ``Authorization: OAuth`` header,
HMAC-SHA1 / HMAC-SHA256, 15-minute timestamp window, nonces not reusable), which is
what WooCommerce requires over plain HTTP. The sandbox serves plain HTTP and
accepts all three.

- unknown key → 401 ``woocommerce_rest_authentication_error`` "Consumer key is invalid."
- wrong secret → 401 ``woocommerce_rest_authentication_error`` "Consumer secret is invalid."
- key without the needed permission → 401 ``woocommerce_rest_authentication_error``
  "The API key provided does not have write permissions." (or read)
- no credentials → the request is anonymous and the endpoint's permission check
  answers 401 ``woocommerce_rest_cannot_view`` / ``_cannot_create`` / ``_cannot_edit`` /
  ``_cannot_delete`` / ``_cannot_batch``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import quote, unquote

from werkzeug.wrappers import Request

from .errors import ApiError
from .state import ShopState

READ_METHODS = ("GET", "HEAD", "OPTIONS")

CANNOT = {
    "list": ("woocommerce_rest_cannot_view", "Sorry, you cannot list resources."),
    "view": ("woocommerce_rest_cannot_view", "Sorry, you cannot view this resource."),
    "create": ("woocommerce_rest_cannot_create", "Sorry, you are not allowed to create resources."),
    "edit": ("woocommerce_rest_cannot_edit", "Sorry, you are not allowed to edit this resource."),
    "delete": ("woocommerce_rest_cannot_delete", "Sorry, you are not allowed to delete this resource."),
    "batch": (
        "woocommerce_rest_cannot_batch",
        "Sorry, you are not allowed to batch manipulate this resource.",
    ),
}


OAUTH_REQUIRED = (
    "oauth_consumer_key",
    "oauth_timestamp",
    "oauth_nonce",
    "oauth_signature",
    "oauth_signature_method",
)


def _oauth_params(request: Request) -> dict | None:
    params = {k: v for k, v in request.args.items()}
    if request.mimetype == "application/x-www-form-urlencoded":
        params.update(request.form.items())
    header = request.headers.get("Authorization", "")
    if header[:6].lower() == "oauth ":
        for part in header[6:].split(","):
            k, _, v = part.strip().partition("=")
            if k:
                params[unquote(k)] = unquote(v.strip('"'))
    if "oauth_consumer_key" not in params and "oauth_signature" not in params:
        return None
    return params


def _enc(value: str) -> str:
    return quote(unquote(value), safe="~").replace("%", "%25")


def oauth_signature(method: str, url: str, params: dict, secret: str, algorithm: str = "HMAC-SHA1") -> str:
    """The signature WooCommerce expects (``WC_REST_Authentication::check_oauth_signature``)."""
    ps = {k: v for k, v in params.items() if k != "oauth_signature"}
    pairs = [f"{_enc(k)}%3D{_enc(v)}" for k, v in sorted(ps.items(), key=lambda kv: kv[0].encode())]
    base = f"{method.upper()}&{quote(url, safe='~')}&{'%26'.join(pairs)}"
    digest = hashlib.sha256 if algorithm == "HMAC-SHA256" else hashlib.sha1
    return base64.b64encode(hmac.new(f"{secret}&".encode(), base.encode(), digest).digest()).decode()


def _check_oauth(state: ShopState, request: Request, params: dict) -> dict:
    def fail(message: str) -> ApiError:
        return ApiError(401, "woocommerce_rest_authentication_error", message)

    missing = [p for p in OAUTH_REQUIRED if not params.get(p)]
    if missing:
        raise fail(
            f"{', '.join(missing)} parameter is missing."
            if len(missing) == 1
            else f"{', '.join(missing)} parameters are missing."
        )
    with state.lock:
        key = state.keys.get(params["oauth_consumer_key"])
    if key is None:
        raise fail("Consumer key is invalid.")
    method = params["oauth_signature_method"]
    if method not in ("HMAC-SHA1", "HMAC-SHA256"):
        raise fail("Invalid signature - signature method is invalid.")
    # WooCommerce signs against the site's home URL (not whatever Host the request used)
    url = state.base_url(request.root_url.rstrip("/")) + request.path  # root_url: incl. a /shops/<name> mount
    expected = oauth_signature(request.method, url, params, key["consumer_secret"], method)
    given = unquote(params["oauth_signature"].replace(" ", "+"))
    if not hmac.compare_digest(expected, given):
        raise fail("Invalid signature - provided signature does not match.")
    try:
        ts = int(params["oauth_timestamp"])
    except ValueError:
        raise fail("Invalid timestamp.") from None
    now = state.now().timestamp()
    if abs(now - ts) > 15 * 60:
        raise fail("Invalid timestamp.")
    with state.lock:
        nonces = key.setdefault("_nonces", {})
        if params["oauth_nonce"] in nonces:
            raise fail("Invalid nonce - nonce has already been used.")
        nonces[params["oauth_nonce"]] = ts
        for n, t in list(nonces.items()):
            if now - t > 15 * 60:
                del nonces[n]
    return key


def credentials(request: Request) -> tuple[str, str] | None:
    auth = request.authorization
    if auth is not None and auth.type == "basic" and auth.username:
        return auth.username, auth.password or ""
    ck = request.args.get("consumer_key")
    cs = request.args.get("consumer_secret")
    if ck:
        return ck, cs or ""
    return None


def authenticate(state: ShopState, request: Request, action: str) -> dict:
    """The API key record allowed to perform ``action``, or raise ``ApiError`` (401)."""
    creds = credentials(request)
    oauth = _oauth_params(request) if creds is None else None
    if oauth is not None:
        key = _check_oauth(state, request, oauth)
    elif creds is None:
        code, message = CANNOT[action]
        raise ApiError(401, code, message)
    else:
        ck, cs = creds
        with state.lock:
            key = state.keys.get(ck)
        if key is None:
            raise ApiError(401, "woocommerce_rest_authentication_error", "Consumer key is invalid.")
        if not hmac.compare_digest(key["consumer_secret"].encode(), cs.encode()):
            raise ApiError(401, "woocommerce_rest_authentication_error", "Consumer secret is invalid.")
    perms = key["permissions"]
    if request.method in READ_METHODS:
        if perms not in ("read", "read_write"):
            raise ApiError(
                401,
                "woocommerce_rest_authentication_error",
                "The API key provided does not have read permissions.",
            )
    elif perms not in ("write", "read_write"):
        raise ApiError(
            401,
            "woocommerce_rest_authentication_error",
            "The API key provided does not have write permissions.",
        )
    with state.lock:
        key["last_access"] = state.gmt(state.now())
    return key
