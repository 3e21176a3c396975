"""Multi-shop mode: many independent Shopify stores under /shops/<name>/ in one sandbox process,
each the store <name>.myshopify.com (issue #18; as the WooCommerce sandbox's multi-shop mode)."""

from __future__ import annotations

import hashlib
import hmac
import json
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from sandbox.shopify import API_VERSION, multishop
from sandbox.shopify import webhooks as sandbox_webhooks
from sandbox.shopify.app import SandboxApp
from sandbox.shopify.multishop import MultiShopApp
from sandbox.shopify.server import start_in_thread
from sandbox.woocommerce.testing import Receiver  # a generic recording HTTP endpoint

ROOT = Path(__file__).resolve().parents[3]
GRAPHQL = f"/admin/api/{API_VERSION}/graphql.json"
EVERY_STORE = "shpat_every_store"  # a predefined token: valid in each store, each its own copy
APP = ("silta-sandbox-app", "silta-sandbox-secret")
REDIRECT = "https://silta.example/webshop/shopify/installed/"
SETTINGS = {
    "tokens": [{"access_token": EVERY_STORE, "scope": "read_products,write_products,read_orders"}],
    "seed": {"products": 2, "orders": 0, "seed": 3},
}
PRODUCTS = "query { products(first: 50) { nodes { id title } } }"


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


def _graphql(multi, shop, query, token, variables=None):
    return multi.http.post(
        f"{multi.url}/shops/{shop}{GRAPHQL}",
        json={"query": query, "variables": variables or {}},
        headers={"X-Shopify-Access-Token": token},
        timeout=30,
    )


def _titles(multi, shop, token):
    r = _graphql(multi, shop, PRODUCTS, token)
    assert r.status_code == 200, r.text
    return sorted(n["title"] for n in r.json()["data"]["products"]["nodes"])


def _listed(multi):
    return {s["name"]: s for s in multi.http.get(f"{multi.url}/_sandbox/shops", timeout=30).json()}


def test_stores_are_independent_and_their_tokens_not_valid_in_each_other(multi):
    r = _create(multi, "alpha", seed={"products": 3, "orders": 1, "seed": 1})
    assert r.status_code == 201
    assert r.json() == {
        "name": "alpha",
        "shop_domain": "alpha.myshopify.com",
        "url": f"{multi.url}/shops/alpha",
    }
    assert _create(multi, "beta", seed=None).status_code == 201
    ta = _control(multi, "alpha", "POST", "/tokens")["access_token"]
    tb = _control(multi, "beta", "POST", "/tokens")["access_token"]

    _control(
        multi,
        "alpha",
        "POST",
        "/products",
        {"title": "Vain alfassa", "variants": [{"sku": "ONLY-A", "price": "3"}]},
    )
    assert "Vain alfassa" in _titles(multi, "alpha", ta) and len(_titles(multi, "alpha", ta)) == 4
    assert _titles(multi, "beta", tb) == []
    shop = _graphql(multi, "beta", "query { shop { myshopifyDomain } }", tb).json()["data"]["shop"]
    assert shop == {"myshopifyDomain": "beta.myshopify.com"}

    # a token of one store is unknown to the other, answered as a single store answers
    for token, other in ((ta, "beta"), (tb, "alpha")):
        wrong = _graphql(multi, other, PRODUCTS, token)
        assert wrong.status_code == 401 and "Invalid API key or access token" in wrong.json()["errors"]

    # each store's control API sees its own requests, with the paths a single store sees
    assert {e["path"] for e in _control(multi, "alpha", "GET", "/requests")} == {GRAPHQL}
    assert [e["status"] for e in _control(multi, "beta", "GET", "/requests")] == [200, 200, 401]

    shops = _listed(multi)
    assert shops["alpha"]["products"] == 4 and shops["alpha"]["orders"] == 1
    assert shops["beta"] == {
        "name": "beta",
        "shop_domain": "beta.myshopify.com",
        "url": f"{multi.url}/shops/beta",
        "products": 0,
        "orders": 0,
    }

    # posting an existing name resets that store only
    again = _create(multi, "alpha", seed=None)
    assert again.status_code == 200 and again.json()["url"] == f"{multi.url}/shops/alpha"
    assert _listed(multi)["alpha"]["products"] == 0
    assert _graphql(multi, "alpha", PRODUCTS, ta).status_code == 401  # a reset forgets issued tokens
    assert _titles(multi, "beta", tb) == []  # beta's token survived


def test_bad_create_requests(multi):
    for body in (
        {"name": "Isot"},  # a myshopify subdomain is lower case
        {"name": "has space"},
        {"name": "-edessa"},
        {"name": "perassa-"},
        {"name": "under_score"},
        {"name": "x" * 64},
        {},
        {"name": "ok", "settings": {"nope": 1}},
        {"name": "ok", "settings": {"shop_domain": "other.myshopify.com"}},  # the name decides it
        {"name": "ok2", "seed": {"no_such_arg": 1}},
    ):
        r = multi.http.post(f"{multi.url}/_sandbox/shops", json=body, timeout=30)
        assert r.status_code == 400, (body, r.text)
    assert not {"ok", "ok2"} & set(_listed(multi))
    with pytest.raises(ValueError):
        MultiShopApp({"shop_domain": "kaski.myshopify.com"})


def test_install_names_the_store_and_its_code_works_only_there(multi):
    params = {"client_id": APP[0], "scope": "read_products", "redirect_uri": REDIRECT, "state": "st-1"}
    page = multi.http.get(f"{multi.url}/shops/kaski/admin/oauth/authorize", params=params, timeout=30)
    assert page.status_code == 200 and "Install app on kaski.myshopify.com" in page.text
    assert 'action="/shops/kaski/admin/oauth/authorize"' in page.text  # the form posts to this store

    approved = multi.http.post(
        f"{multi.url}/shops/kaski/admin/oauth/authorize",
        data={**params, "decision": "install"},
        allow_redirects=False,
        timeout=30,
    )
    assert approved.status_code == 302
    back = dict(parse_qsl(urlsplit(approved.headers["Location"]).query))
    assert back["shop"] == "kaski.myshopify.com" and back["state"] == "st-1"
    message = "&".join(f"{k}={v}" for k, v in sorted(back.items()) if k != "hmac")
    assert back["hmac"] == hmac.new(APP[1].encode(), message.encode(), hashlib.sha256).hexdigest()

    exchange = {"client_id": APP[0], "client_secret": APP[1], "code": back["code"]}
    elsewhere = multi.http.post(
        f"{multi.url}/shops/other/admin/oauth/access_token", json=exchange, timeout=30
    )
    assert elsewhere.status_code == 400  # another store never issued that code
    r = multi.http.post(f"{multi.url}/shops/kaski/admin/oauth/access_token", json=exchange, timeout=30)
    assert r.status_code == 200, r.text
    token = r.json()["access_token"]
    assert _graphql(multi, "kaski", PRODUCTS, token).status_code == 200
    assert _graphql(multi, "other", PRODUCTS, token).status_code == 401


def test_deliveries_are_signed_and_name_the_store(multi):
    _create(multi, "hooked", seed=None)
    _create(multi, "quiet", seed=None)
    create = """mutation sub($topic: WebhookSubscriptionTopic!, $uri: String!) {
      webhookSubscriptionCreate(topic: $topic, webhookSubscription: {uri: $uri}) {
        webhookSubscription { id } userErrors { message } } }"""
    with Receiver() as rx:
        for shop in ("hooked", "quiet"):
            r = _graphql(
                multi, shop, create, EVERY_STORE, {"topic": "ORDERS_PAID", "uri": f"{rx.url}/{shop}"}
            )
            assert r.json()["data"]["webhookSubscriptionCreate"]["userErrors"] == [], r.text
        _control(
            multi, "hooked", "POST", "/products", {"title": "T", "variants": [{"sku": "H-1", "price": "5"}]}
        )
        order = _control(multi, "hooked", "POST", "/orders", {"lines": [{"sku": "H-1", "quantity": 1}]})
        [delivery] = rx.wait_for(1)
        assert _control(multi, "quiet", "GET", "/deliveries", params={"wait": 1}) == []
    assert delivery.path == "/hooked"
    assert delivery.headers["X-Shopify-Shop-Domain"] == "hooked.myshopify.com"
    assert delivery.headers["X-Shopify-Topic"] == "orders/paid"
    assert delivery.headers["X-Shopify-Hmac-SHA256"] == sandbox_webhooks.sign(delivery.body, APP[1])
    assert json.loads(delivery.body)["admin_graphql_api_id"] == order["id"]


def test_bulk_result_urls_carry_the_store_path(multi):
    _create(multi, "bulky", seed={"products": 3, "orders": 0, "seed": 2})
    run = """mutation bulk($query: String!) { bulkOperationRunQuery(query: $query) {
      bulkOperation { id } userErrors { message } } }"""
    r = _graphql(multi, "bulky", run, EVERY_STORE, {"query": "{ products { edges { node { id title } } } }"})
    assert r.json()["data"]["bulkOperationRunQuery"]["userErrors"] == [], r.text
    current = _graphql(
        multi, "bulky", "query { currentBulkOperation(type: QUERY) { status url } }", EVERY_STORE
    )
    op = current.json()["data"]["currentBulkOperation"]
    assert op["status"] == "COMPLETED" and op["url"].startswith(f"{multi.url}/shops/bulky/_bulk/")
    lines = multi.http.get(op["url"], timeout=30).text.splitlines()
    assert len(lines) == 3 and all(
        json.loads(line)["id"].startswith("gid://shopify/Product/") for line in lines
    )
    # the file is that store's: the same path of another store is not there
    assert multi.http.get(op["url"].replace("/shops/bulky/", "/shops/other/"), timeout=30).status_code == 404


def test_unknown_paths_answer_404(multi):
    for path in (
        GRAPHQL,
        "/",
        "/shops",
        "/shops/",
        f"/shops/Bad.Name{GRAPHQL}",
        f"/shops/{'x' * 64}{GRAPHQL}",
        "/shops/unknownroute/admin/",
        "/shops/unknownroute",
    ):
        r = multi.http.get(multi.url + path, timeout=30)
        assert r.status_code == 404 and r.text == "Not Found", path
    r = multi.http.get(f"{multi.url}/_sandbox/nope", timeout=30)
    assert r.status_code == 404 and r.json() == {"error": "not found"}
    r = multi.http.get(f"{multi.url}/shops/unknownroute/_sandbox/nope", timeout=30)
    assert r.status_code == 404 and r.json() == {"error": "not found"}
    assert multi.http.get(f"{multi.url}/_sandbox/", timeout=30).json()["routes"] == multishop.ROUTES
    assert not any(name.startswith(("bad", "xxx")) for name in _listed(multi))


class SlowSandboxApp(SandboxApp):
    def __init__(self, settings=None, schema=None):
        time.sleep(0.2)  # widen the window in which concurrent first requests could each make a store
        super().__init__(settings, schema)


def test_first_use_creates_a_store_from_the_settings(multi, monkeypatch):
    assert "fresh" not in _listed(multi)
    assert len(_titles(multi, "fresh", EVERY_STORE)) == 2  # the predefined token, the settings' seed
    assert _listed(multi)["fresh"]["shop_domain"] == "fresh.myshopify.com"

    # many first requests at once make one store: every token issued lands in the same one
    monkeypatch.setattr(multishop, "SandboxApp", SlowSandboxApp)
    tokens: list[str] = []
    start = threading.Barrier(12)

    def issue() -> None:
        start.wait()
        r = requests.post(f"{multi.url}/shops/crowd/_sandbox/tokens", json={}, timeout=30)
        tokens.append(r.json()["access_token"])

    threads = [threading.Thread(target=issue) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(tokens)) == 12
    assert all(_graphql(multi, "crowd", PRODUCTS, t).status_code == 200 for t in tokens)


def test_creating_many_stores_starts_no_threads():
    app = MultiShopApp()
    before = set(threading.enumerate())
    for i in range(200):
        app.create(f"t{i}")
    assert len(app.shops) == 200
    assert len({id(shop.schema) for shop in app.shops.values()}) == 1  # one schema, shared
    assert set(threading.enumerate()) - before == set()  # webhook workers start on a store's first delivery


@pytest.mark.slow
def test_main_module_multi_shop():
    proc = subprocess.Popen(
        [sys.executable, "-m", "sandbox.shopify", "--multi-shop", "--port", "0", "--token", "shpat_demo"],
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
            r = requests.post(
                f"{url}/shops/{shop}{GRAPHQL}",
                json={"query": "query { shop { myshopifyDomain } }"},
                headers={"X-Shopify-Access-Token": "shpat_demo"},
                timeout=10,
            )
            assert (
                r.status_code == 200
                and r.json()["data"]["shop"]["myshopifyDomain"] == f"{shop}.myshopify.com"
            )
        assert requests.post(f"{url}{GRAPHQL}", json={}, timeout=10).status_code == 404
        names = [s["name"] for s in requests.get(f"{url}/_sandbox/shops", timeout=10).json()]
        assert names == ["one", "two"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
