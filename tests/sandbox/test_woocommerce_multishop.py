"""Multi-shop mode: many independent shops under /shops/<name>/ in one sandbox process."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from sandbox.woocommerce import multishop
from sandbox.woocommerce.app import SandboxApp
from sandbox.woocommerce.multishop import MultiShopApp
from sandbox.woocommerce.server import start_in_thread
from sandbox.woocommerce.testing import API, Receiver
from tests.fixtures.woocommerce_oauth import oauth_sign

ROOT = Path(__file__).resolve().parents[2]
PREDEFINED = ("ck_every_shop", "cs_every_shop")
SETTINGS = {
    "keys": [{"consumer_key": PREDEFINED[0], "consumer_secret": PREDEFINED[1]}],
    "seed": {"products": 2, "orders": 0, "seed": 3},
}


@pytest.fixture(scope="module")
def multi():
    server, url = start_in_thread(0, app=MultiShopApp(SETTINGS))
    server.url = url
    server.http = requests.Session()
    yield server
    server.shutdown()
    server.server_close()


def _create(multi, name, **body):
    r = multi.http.post(f"{multi.url}/_sandbox/shops", json={"name": name, **body}, timeout=30)
    assert r.status_code in (200, 201), r.text
    return r


def _control(multi, shop, method, path, body=None, **kw):
    r = multi.http.request(method, f"{multi.url}/shops/{shop}/_sandbox{path}", json=body, timeout=30, **kw)
    assert r.status_code < 400, r.text
    return r.json()


def _api(multi, shop, method, path, key=None, **kw):
    return multi.http.request(method, f"{multi.url}/shops/{shop}{API}{path}", auth=key, timeout=30, **kw)


def _key(multi, shop):
    k = _control(multi, shop, "POST", "/keys", {"permissions": "read_write"})
    return k["consumer_key"], k["consumer_secret"]


def _listed(multi):
    return {s["name"]: s for s in multi.http.get(f"{multi.url}/_sandbox/shops", timeout=30).json()}


def test_shops_created_by_the_control_api_are_independent(multi):
    r = _create(multi, "alpha", seed={"products": 3, "orders": 1, "seed": 1})
    assert r.status_code == 201 and r.json() == {"name": "alpha", "url": f"{multi.url}/shops/alpha"}
    assert _create(multi, "beta", seed=None).status_code == 201
    ka, kb = _key(multi, "alpha"), _key(multi, "beta")

    made = _api(multi, "alpha", "POST", "/products", ka, json={"name": "Vain alfassa", "sku": "ONLY-A"})
    assert made.status_code == 201, made.text
    assert (
        _api(multi, "alpha", "GET", "/products", ka, params={"sku": "ONLY-A"}).json()[0]["id"]
        == made.json()["id"]
    )
    beta = _api(multi, "beta", "GET", "/products", kb)
    assert beta.status_code == 200 and beta.headers["X-WP-Total"] == "0"
    assert _api(multi, "beta", "GET", f"/products/{made.json()['id']}", kb).status_code == 404

    # a key of one shop is unknown to the other, answered as a single shop answers
    wrong = _api(multi, "beta", "GET", "/products", ka)
    assert wrong.status_code == 401 and wrong.json()["message"] == "Consumer key is invalid."
    assert _api(multi, "beta", "GET", "/products").status_code == 401

    # each shop's control API sees its own requests, with the paths a single shop sees
    log = _control(multi, "alpha", "GET", "/requests", params={"method": "POST"})
    assert [e["path"] for e in log] == [f"{API}/products"]
    assert _control(multi, "beta", "GET", "/requests", params={"method": "POST"}) == []

    shops = _listed(multi)
    assert shops["alpha"]["products"] == 4 and shops["alpha"]["orders"] == 1
    assert shops["beta"]["products"] == 0 and shops["beta"]["url"] == f"{multi.url}/shops/beta"

    # posting an existing name resets that shop only
    again = _create(multi, "alpha", seed=None)
    assert again.status_code == 200 and again.json()["url"] == f"{multi.url}/shops/alpha"
    shops = _listed(multi)
    assert shops["alpha"]["products"] == 0 and shops["alpha"]["orders"] == 0
    assert _api(multi, "beta", "GET", "/products", kb).status_code == 200  # beta's key survived


def test_bad_create_requests(multi):
    for body in (
        {"name": "has space"},
        {"name": "x" * 65},
        {},
        {"name": "ok", "settings": {"nope": 1}},
        {"name": "ok2", "seed": {"no_such_arg": 1}},
    ):
        r = multi.http.post(f"{multi.url}/_sandbox/shops", json=body, timeout=30)
        assert r.status_code == 400, (body, r.text)
    assert not {"ok", "ok2"} & set(_listed(multi))


def test_links_and_urls_carry_the_shop_prefix(multi):
    _create(multi, "linked", seed={"products": 25, "orders": 0})
    prefix = f"{multi.url}/shops/linked"
    r = _api(multi, "linked", "GET", "/products", PREDEFINED, params={"per_page": 10, "page": 2})
    assert r.status_code == 200 and r.headers["X-WP-TotalPages"] == "3"
    links = dict((rel, url) for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', r.headers["Link"]))
    assert links["prev"].startswith(f"{prefix}{API}/products?") and "page=1" in links["prev"]
    assert links["next"].startswith(f"{prefix}{API}/products?") and "page=3" in links["next"]
    assert multi.http.get(links["next"], auth=PREDEFINED, timeout=30).status_code == 200  # the link works

    product = r.json()[0]
    assert product["_links"]["self"][0]["href"] == f"{prefix}{API}/products/{product['id']}"
    assert product["_links"]["collection"][0]["href"] == f"{prefix}{API}/products"
    assert product["permalink"].startswith(f"{prefix}/product/")
    made = _api(multi, "linked", "POST", "/products", PREDEFINED, json={"name": "Uusi"})
    assert made.headers["Location"] == f"{prefix}{API}/products/{made.json()['id']}"
    assert _control(multi, "linked", "GET", "/health")["base_url"] == prefix
    assert multi.http.get(f"{prefix}/wp-json/", timeout=30).json()["home"] == prefix


def test_webhook_source_carries_the_shop_prefix(multi):
    _create(multi, "hooked", seed={"products": 3, "orders": 0, "seed": 5})
    product = _api(multi, "hooked", "GET", "/products", PREDEFINED, params={"type": "simple"}).json()[0]
    with Receiver() as rx:
        hook = _api(
            multi,
            "hooked",
            "POST",
            "/webhooks",
            PREDEFINED,
            json={"topic": "product.updated", "delivery_url": rx.url + "/hook", "secret": "s3"},
        )
        assert hook.status_code == 201, hook.text
        rx.wait_for(1)  # the creation ping
        assert (
            _api(
                multi, "hooked", "PUT", f"/products/{product['id']}", PREDEFINED, json={"name": "Uusi nimi"}
            ).status_code
            == 200
        )
        delivery = rx.wait_for(2)[1]
    assert delivery.headers["X-WC-Webhook-Source"] == f"{multi.url}/shops/hooked/"
    expected = base64.b64encode(hmac.new(b"s3", delivery.body, hashlib.sha256).digest()).decode()
    assert delivery.headers["X-WC-Webhook-Signature"] == expected
    body = delivery.json()
    assert body["name"] == "Uusi nimi"
    assert body["_links"]["self"][0]["href"] == f"{multi.url}/shops/hooked{API}/products/{product['id']}"


def test_wc_auth_form_and_oauth_signature_use_the_shop_url(multi):
    page = multi.http.get(
        f"{multi.url}/shops/authy/wc-auth/v1/authorize",
        timeout=30,
        params={
            "app_name": "Silta",
            "scope": "read",
            "user_id": "1",
            "return_url": "http://portal.test/r",
            "callback_url": "http://127.0.0.1:9/cb",
        },
    )
    assert page.status_code == 200
    assert 'action="/shops/authy/wc-auth/v1/access_granted"' in page.text
    assert 'formaction="/shops/authy/wc-auth/v1/access_denied"' in page.text

    # OAuth 1.0a is signed against the shop's URL, i.e. including /shops/<name>
    url = f"{multi.url}/shops/authy{API}/products"
    params = {
        "oauth_consumer_key": PREDEFINED[0],
        "oauth_timestamp": str(int(time.time())),
        "oauth_nonce": secrets.token_hex(16),
        "oauth_signature_method": "HMAC-SHA256",
    }
    params["oauth_signature"] = oauth_sign("GET", url, params, PREDEFINED[1])
    r = multi.http.get(url, params=params, timeout=30)
    assert r.status_code == 200, r.text
    params["oauth_nonce"] = secrets.token_hex(16)
    params["oauth_signature"] = oauth_sign("GET", f"{multi.url}{API}/products", params, PREDEFINED[1])
    r = multi.http.get(url, params=params, timeout=30)
    assert r.status_code == 401 and "signature" in r.json()["message"]


def test_unknown_paths_answer_404(multi):
    for path in (
        f"{API}/products",
        "/",
        "/shops",
        "/shops/",
        f"/shops/bad.name{API}/products",
        f"/shops/{'x' * 65}{API}/products",
        "/shops/unknownroute/wp-admin/",
        "/shops/unknownroute",
    ):
        r = multi.http.get(multi.url + path, auth=PREDEFINED, timeout=30)
        assert r.status_code == 404 and "text/html" in r.headers["Content-Type"], path
    r = multi.http.get(f"{multi.url}/_sandbox/nope", timeout=30)
    assert r.status_code == 404 and r.json()["code"] == "sandbox_no_route"
    r = multi.http.get(f"{multi.url}/shops/unknownroute/_sandbox/nope", timeout=30)
    assert r.status_code == 404 and r.json()["code"] == "sandbox_no_route"
    r = _api(multi, "unknownroute", "GET", "/nothing", PREDEFINED)
    assert r.status_code == 404 and r.json()["code"] == "rest_no_route"
    assert not any(name.startswith(("bad", "xxx")) for name in _listed(multi))


class SlowSandboxApp(SandboxApp):
    def __init__(self, settings=None):
        time.sleep(0.2)  # widen the window in which concurrent first requests could each make a shop
        super().__init__(settings)


def test_first_use_creates_a_shop_from_the_settings(multi, monkeypatch):
    assert "fresh" not in _listed(multi)
    r = _api(
        multi, "fresh", "GET", "/products", PREDEFINED
    )  # predefined key + seed of the multi-shop settings
    assert r.status_code == 200 and r.headers["X-WP-Total"] == "2"
    assert _listed(multi)["fresh"]["products"] == 2

    # many first requests at once make one shop: every key created lands in the same one
    monkeypatch.setattr(multishop, "SandboxApp", SlowSandboxApp)
    results: list[int] = []
    start = threading.Barrier(16)

    def add_key() -> None:
        start.wait()
        resp = requests.post(
            f"{multi.url}/shops/crowd/_sandbox/keys", json={"permissions": "read"}, timeout=30
        )
        results.append(resp.status_code)

    threads = [threading.Thread(target=add_key) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [201] * 16
    assert len(_control(multi, "crowd", "GET", "/keys")) == 17  # 16 + the predefined key


def test_creating_many_shops_starts_no_threads():
    app = MultiShopApp()
    before = set(threading.enumerate())
    for i in range(500):
        app.create(f"t{i}")
    assert len(app.shops) == 500
    assert set(threading.enumerate()) - before == set()  # webhook workers start on a shop's first delivery


@pytest.mark.slow
def test_main_module_multi_shop():
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sandbox.woocommerce",
            "--multi-shop",
            "--port",
            "0",
            "--key",
            "ck_demo:cs_demo",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        assert "listening on http://127.0.0.1:" in line
        url = line.strip().rsplit(" ", 1)[-1]
        for shop in ("one", "two"):
            r = requests.get(f"{url}/shops/{shop}{API}/products", auth=("ck_demo", "cs_demo"), timeout=10)
            assert r.status_code == 200 and r.headers["X-WP-Total"] == "0"
        assert (
            requests.get(f"{url}{API}/products", auth=("ck_demo", "cs_demo"), timeout=10).status_code == 404
        )
        names = [s["name"] for s in requests.get(f"{url}/_sandbox/shops", timeout=10).json()]
        assert names == ["one", "two"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
