"""Installing the Silta app in a Shopify store: the authorization code grant, Silta's side.

1. ``authorize_url``: where the owner approves the app (``/admin/oauth/authorize`` on the store
   they typed, which must be ``<name>.myshopify.com``), with the scopes Silta uses and a ``state``
   Silta keeps (one per attempt).
2. ``verify_callback``: the redirect back carries ``code``, ``hmac``, ``shop``, ``state`` and
   ``timestamp``. It is accepted only when the HMAC (hex HMAC-SHA256 of the other parameters,
   sorted, keyed with the app's client secret) matches, the state is the one Silta issued, the
   shop is a myshopify.com domain and the very store the owner asked for, and the timestamp is
   recent. Anything else raises ``CallbackRefused`` and nothing is queued or stored.
3. ``exchange_code``: the code for the access token (``/admin/oauth/access_token``), through the
   outbound policy like every call to a shop.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

import requests

from integration.net import outbound
from integration.net.address_policy import host_of

from ..base import AddressRefused, AuthenticationFailed, ShopUnavailable
from .domain import NotAShopDomain, shop_domain

# Only what Silta uses: articles (products, inventory at the location), orders (read, and
# write_orders for the eAccounting document number written back: orderUpdate).
SCOPES = (
    "read_products",
    "write_products",
    "read_inventory",
    "write_inventory",
    "read_locations",
    "read_orders",
    "write_orders",
)
MAX_CALLBACK_AGE = 24 * 3600  # seconds; the owner may take a while on the approval page


class CallbackRefused(Exception):
    """The install callback is not genuine, not ours, or not for this store."""


@dataclass(frozen=True)
class Installation:
    shop: str
    access_token: str
    scopes: tuple[str, ...]


def authorize_url(
    shop: str, client_id: str, redirect_uri: str, state: str, *, base_url: str | None = None
) -> str:
    """The approval page's address. ``base_url`` replaces ``https://<shop>`` (the local sandbox)."""
    domain = shop_domain(shop)
    query = urlencode(
        {"client_id": client_id, "scope": ",".join(SCOPES), "redirect_uri": redirect_uri, "state": state}
    )
    return f"{(base_url or 'https://' + domain).rstrip('/')}/admin/oauth/authorize?{query}"


def signature(params: Mapping[str, str], secret: str) -> str:
    message = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k != "hmac")
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def verify_callback(
    params: Mapping[str, str],
    *,
    client_secret: str,
    expected_state: str,
    expected_shop: str,
    now: float | None = None,
) -> tuple[str, str]:
    """``(shop domain, code)`` of a genuine callback for the store asked for; else ``CallbackRefused``."""
    given = str(params.get("hmac") or "")
    if not given or not hmac.compare_digest(given, signature(params, client_secret)):
        raise CallbackRefused("the callback's signature (hmac) is wrong")
    if not expected_state or not hmac.compare_digest(str(params.get("state") or ""), expected_state):
        raise CallbackRefused("the callback's state is not the one Silta issued")
    try:
        shop = shop_domain(str(params.get("shop") or ""))
    except NotAShopDomain:
        raise CallbackRefused("the callback names a shop outside myshopify.com") from None
    if shop != shop_domain(expected_shop):
        raise CallbackRefused("the callback is for another store than the one being connected")
    try:
        age = (now if now is not None else time.time()) - int(str(params.get("timestamp") or ""))
    except ValueError:
        raise CallbackRefused("the callback has no timestamp") from None
    if not -300 <= age <= MAX_CALLBACK_AGE:
        raise CallbackRefused("the callback is too old")
    code = str(params.get("code") or "")
    if not code:
        raise CallbackRefused("the callback has no code")
    return shop, code


def exchange_code(
    shop: str,
    code: str,
    *,
    client_id: str,
    client_secret: str,
    base_url: str | None = None,
    policy: outbound.Policy | None = None,
    timeout: float = 30.0,
) -> Installation:
    """The access token for ``code`` (sent once: a code works once, so a lost answer is not retried)."""
    domain = shop_domain(shop)
    url = f"{(base_url or 'https://' + domain).rstrip('/')}/admin/oauth/access_token"
    session = outbound.session(policy)
    try:
        resp = session.post(
            url, json={"client_id": client_id, "client_secret": client_secret, "code": code}, timeout=timeout
        )
    except outbound.OutboundRefused as exc:
        raise AddressRefused(str(exc)) from None
    except (requests.ConnectionError, requests.Timeout):
        raise ShopUnavailable(f"Shopify at {host_of(url)} did not answer; install the app again.") from None
    try:
        body = resp.json()
    except ValueError:
        body = {}
    token = body.get("access_token") if isinstance(body, dict) else None
    if resp.status_code != 200 or not token:
        raise AuthenticationFailed(
            "Shopify did not give Silta an access token; install the app again.", status=resp.status_code
        )
    scopes = tuple(s for s in str(body.get("scope") or "").split(",") if s)
    return Installation(domain, str(token), scopes)
