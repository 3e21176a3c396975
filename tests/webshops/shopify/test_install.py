"""Installing the app: Silta's side of the authorization code grant, against the sandbox's install page."""

import time
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from integration.net import outbound
from integration.webshops.base import AuthenticationFailed
from integration.webshops.shopify.install import (
    SCOPES,
    CallbackRefused,
    authorize_url,
    exchange_code,
    signature,
    verify_callback,
)

from .conftest import make_client

CLIENT_ID, SECRET = "silta-sandbox-app", "silta-sandbox-secret"
SHOP = "silta-sandbox.myshopify.com"
REDIRECT = "https://silta.example/shopify/callback"
LOCAL = outbound.Policy(
    allow_http_hosts=frozenset({"127.0.0.1"}), allow_private_hosts=frozenset({"127.0.0.1"})
)


def _approve(sb, state):
    url = authorize_url(SHOP, CLIENT_ID, REDIRECT, state, base_url=sb.url)
    page = requests.get(url, timeout=10)
    assert page.status_code == 200 and all(s in page.text for s in SCOPES)
    params = dict(parse_qsl(urlsplit(url).query))
    r = requests.post(
        f"{sb.url}/admin/oauth/authorize",
        data={**params, "decision": "install"},
        allow_redirects=False,
        timeout=10,
    )
    return dict(parse_qsl(urlsplit(r.headers["Location"]).query))


def test_the_whole_install_gives_a_working_token(sb, token):
    callback = _approve(sb, "state-1")
    shop, code = verify_callback(callback, client_secret=SECRET, expected_state="state-1", expected_shop=SHOP)
    installed = exchange_code(
        shop, code, client_id=CLIENT_ID, client_secret=SECRET, base_url=sb.url, policy=LOCAL
    )
    assert installed.shop == SHOP and set(installed.scopes) == set(SCOPES)
    client = make_client(sb, installed.access_token)
    assert client.query("{ shop { myshopifyDomain } }")["shop"]["myshopifyDomain"] == SHOP
    with pytest.raises(AuthenticationFailed):  # a code works once
        exchange_code(shop, code, client_id=CLIENT_ID, client_secret=SECRET, base_url=sb.url, policy=LOCAL)


def _signed(**params):
    base = {"code": "abc", "shop": SHOP, "state": "s", "timestamp": str(int(time.time()))} | params
    return base | {"hmac": signature(base, SECRET)}


@pytest.mark.parametrize(
    "callback, why",
    [
        (_signed() | {"hmac": "0" * 64}, "signature"),
        (_signed() | {"shop": "evil.myshopify.com"}, "signature"),  # changed after signing
        (_signed(state="other"), "state"),
        (_signed(shop="evil.example.com"), "outside myshopify.com"),
        (_signed(shop="another-store.myshopify.com"), "another store"),
        (_signed(timestamp=str(int(time.time()) - 3 * 24 * 3600)), "too old"),
        ({k: v for k, v in _signed().items() if k != "hmac"}, "signature"),
    ],
)
def test_a_forged_or_foreign_callback_is_refused(callback, why):
    with pytest.raises(CallbackRefused, match=why):
        verify_callback(callback, client_secret=SECRET, expected_state="s", expected_shop=SHOP)


def test_the_approval_page_is_only_ever_a_myshopify_store():
    from integration.webshops.shopify import NotAShopDomain

    assert authorize_url(SHOP, CLIENT_ID, REDIRECT, "s").startswith(f"https://{SHOP}/admin/oauth/authorize?")
    with pytest.raises(NotAShopDomain):
        authorize_url("shop.example.com", CLIENT_ID, REDIRECT, "s")
