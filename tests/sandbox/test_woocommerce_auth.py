"""API key authentication and the /wc-auth/v1/authorize key-approval flow."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from sandbox.woocommerce.testing import Receiver, Sandbox
from tests.fixtures.woocommerce_oauth import oauth_sign

SANDBOX = "woocommerce"
SANDBOX_SETTINGS = {"seed": {"products": 5, "orders": 2}}


def test_basic_and_query_string_auth(sb):
    ck, cs = sb.key("read_write")
    assert sb.get("/products", (ck, cs)).status_code == 200
    r = sb.http.get(f"{sb.url}/wp-json/wc/v3/products", params={"consumer_key": ck, "consumer_secret": cs})
    assert r.status_code == 200 and len(r.json()) == 5
    log = sb.requests_log(path="/wp-json/wc/v3/products")
    assert [e["auth"] for e in log[-2:]] == ["basic", "query"]
    assert log[-1]["query"]["consumer_secret"] == "***" and log[-1]["consumer_key"] == ck


@pytest.mark.parametrize(
    "method,path,code",
    [
        ("GET", "/products", "woocommerce_rest_cannot_view"),
        ("GET", "/orders/1", "woocommerce_rest_cannot_view"),
        ("POST", "/products", "woocommerce_rest_cannot_create"),
        ("PUT", "/products/1", "woocommerce_rest_cannot_edit"),
        ("DELETE", "/products/1", "woocommerce_rest_cannot_delete"),
        ("POST", "/products/batch", "woocommerce_rest_cannot_batch"),
    ],
)
def test_missing_credentials(sb, method, path, code):
    r = sb.api(method, path, json={})
    assert r.status_code == 401
    assert r.json()["code"] == code and r.json()["data"] == {"status": 401}


def test_wrong_key_or_secret(sb):
    ck, cs = sb.key()
    r = sb.get("/products", ("ck_nope", cs))
    assert r.status_code == 401 and r.json()["message"] == "Consumer key is invalid."
    r = sb.get("/products", (ck, "cs_wrong"))
    assert r.status_code == 401 and r.json()["code"] == "woocommerce_rest_authentication_error"
    assert r.json()["message"] == "Consumer secret is invalid."


def test_read_only_and_write_only_keys(sb):
    read = sb.key("read")
    assert sb.get("/orders", read).status_code == 200
    for method, path in (("POST", "/products"), ("PUT", "/products/1"), ("DELETE", "/products/1")):
        r = sb.api(method, path, read, json={"name": "x"})
        assert r.status_code == 401
        assert r.json()["code"] == "woocommerce_rest_authentication_error"
        assert "write permissions" in r.json()["message"]
    write = sb.key("write")
    r = sb.get("/products", write)
    assert r.status_code == 401 and "read permissions" in r.json()["message"]
    assert sb.post("/products", write, json={"name": "Uusi"}).status_code == 201


def test_unknown_site_path_is_not_woocommerce(sb):
    r = sb.http.get(f"{sb.url}/shop/wp-json/wc/v3/products")
    assert r.status_code == 404 and "text/html" in r.headers["Content-Type"]
    index = sb.http.get(f"{sb.url}/wp-json/").json()
    assert "wc/v3" in index["namespaces"]


def _authorize_url(
    sb, callback, scope="read_write", user_id="42", return_url="http://portal.test/return?x=1"
):
    q = {
        "app_name": "Silta",
        "scope": scope,
        "user_id": user_id,
        "return_url": return_url,
        "callback_url": callback,
    }
    return f"{sb.url}/wc-auth/v1/authorize?{urlencode(q)}"


def _form(html: str) -> tuple[str, dict]:
    action = re.search(r'<form method="post" action="([^"]+)"', html).group(1)
    fields = {
        m.group(1): unescape(m.group(2))
        for m in re.finditer(r'type="hidden" name="([^"]+)" value="([^"]*)"', html)
    }
    return action, fields


def test_wc_auth_approve_posts_keys_then_redirects(sb):
    with Receiver() as rx:
        page = sb.http.get(_authorize_url(sb, rx.url + "/callback"))
        assert page.status_code == 200
        assert "Silta would like to connect to your store" in page.text
        assert "Read/Write" in page.text and "Approve" in page.text and "Deny" in page.text
        action, fields = _form(page.text)
        fields["action"] = "approve"
        r = sb.http.post(sb.url + action, data=fields, allow_redirects=False)
        assert r.status_code == 302, r.text
        loc = urlsplit(r.headers["Location"])
        assert (loc.netloc, loc.path) == ("portal.test", "/return")
        assert parse_qs(loc.query) == {"x": ["1"], "success": ["1"], "user_id": ["42"]}
        got = rx.wait_for(1)[0]
        assert got.method == "POST" and got.path == "/callback"
        keys = got.json()
        assert set(keys) == {"key_id", "user_id", "consumer_key", "consumer_secret", "key_permissions"}
        assert keys["user_id"] == 42 and keys["key_permissions"] == "read_write"
        assert keys["consumer_key"].startswith("ck_") and keys["consumer_secret"].startswith("cs_")
        # the delivered key works
        assert sb.get("/products", (keys["consumer_key"], keys["consumer_secret"])).status_code == 200


def test_wc_auth_deny_redirects_without_keys(sb):
    with Receiver() as rx:
        page = sb.http.get(_authorize_url(sb, rx.url, scope="read"))
        assert "<strong>Read</strong>" in page.text
        _, fields = _form(page.text)
        r = sb.http.post(sb.url + "/wc-auth/v1/access_denied", data=fields, allow_redirects=False)
        assert r.status_code == 302
        assert parse_qs(urlsplit(r.headers["Location"]).query)["success"] == ["0"]
        assert rx.received == []


def test_wc_auth_errors(sb):
    r = sb.http.get(f"{sb.url}/wc-auth/v1/authorize?app_name=X&scope=read")
    assert r.status_code == 400 and "Missing parameter user_id" in r.text
    r = sb.http.get(_authorize_url(sb, "http://127.0.0.1:1/cb", scope="admin"))
    assert r.status_code == 400 and "Invalid scope admin" in r.text
    keys_before = len(sb.control("GET", "/keys"))
    with Receiver(statuses=500) as rx:  # callback not answering 200: key revoked, error page
        _, fields = _form(sb.http.get(_authorize_url(sb, rx.url)).text)
        r = sb.http.post(sb.url + "/wc-auth/v1/access_granted", data=fields, allow_redirects=False)
        assert r.status_code == 401 and "unable to send the consumer data" in r.text
    assert len(sb.control("GET", "/keys")) == keys_before


def test_wc_auth_https_callback_can_be_required():
    s = Sandbox({"wc_auth_require_https_callback": True})
    try:
        r = requests.get(_authorize_url(s, "http://127.0.0.1:9/cb"))
        assert r.status_code == 400 and "needs to be over SSL" in r.text
    finally:
        s.close()


def test_oauth1_one_legged_over_http(sb):
    import secrets
    import time as _time

    ck, cs = sb.key("read")
    url = f"{sb.url}/wp-json/wc/v3/products"
    params = {
        "oauth_consumer_key": ck,
        "oauth_timestamp": str(int(_time.time())),
        "oauth_nonce": secrets.token_hex(16),
        "oauth_signature_method": "HMAC-SHA256",
        "per_page": "2",
    }
    params["oauth_signature"] = oauth_sign("GET", url, params, cs)
    r = sb.http.get(url, params=params)
    assert r.status_code == 200, r.text
    assert len(r.json()) == 2
    replay = sb.http.get(url, params=params)
    assert replay.status_code == 401 and "nonce" in replay.json()["message"]
    params["oauth_nonce"] = secrets.token_hex(16)
    params["oauth_signature"] = "bad"
    r = sb.http.get(url, params=params)
    assert r.status_code == 401 and r.json()["code"] == "woocommerce_rest_authentication_error"
