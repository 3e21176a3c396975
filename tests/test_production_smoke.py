"""The production-like stack on this machine, driven over HTTP like a person and the shop would.

gunicorn with deploy/gunicorn.conf.py and `manage.py qcluster` run as subprocesses with the
production settings (portal.settings, DEBUG off, HTTPS redirect, HSTS and secure cookies on) on
the test PostgreSQL database, static files collected and served by WhiteNoise. In front of
gunicorn a small proxy does what deploy/nginx-silta.conf does after TLS: it forwards with
`X-Forwarded-Proto: https`, so the shop sandbox's webhooks and key callback arrive as they would
through nginx. An owner connects eAccounting (the sandbox's login pages) and the shop (the
shop's approval page), activates, runs the first sync; the cluster then puts eAccounting's
articles into the shop, and an order placed in the shop reaches eAccounting through its webhook.
"""

import html
import http.client
import os
import re
import threading
import time
from http.cookiejar import DefaultCookiePolicy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
import requests
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.urls import reverse

from integration.models import Membership, OrderTransfer, SyncRun, Tenant, WebhookDelivery
from tests.fixtures.external_logins import approve_at_shop, sign_in_at_visma
from tests.fixtures.processes import ROOT, database_url, free_port, manage
from tests.fixtures.production import finish, get_quietly, start, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

BUYER = {
    "first_name": "Maija",
    "last_name": "Meikäläinen",
    "email": "maija@example.fi",
    "address_1": "Kauppakatu 1",
    "city": "Kuopio",
    "postcode": "70100",
    "country": "FI",
    "phone": "+358401234567",
}
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailers",
    "transfer-encoding",
    "upgrade",
}


class Proxy:
    """nginx's part after TLS termination: forward to gunicorn with Host kept and X-Forwarded-Proto
    and X-Forwarded-For set (deploy/nginx-silta.conf)."""

    def __init__(self, upstream_port):
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def forward(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {
                    k: v
                    for k, v in self.headers.items()
                    if k.lower() not in HOP_BY_HOP and not k.lower().startswith("x-forwarded-")
                }
                headers.update({"X-Forwarded-Proto": "https", "X-Forwarded-For": self.client_address[0]})
                upstream = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=60)
                try:
                    upstream.request(self.command, self.path, body=body, headers=headers)
                    answer = upstream.getresponse()
                    data = answer.read()
                except OSError:  # gunicorn is not up (yet, or any more): nginx's 502
                    self.send_error(502)
                    return
                finally:
                    upstream.close()
                self.send_response_only(answer.status, answer.reason)
                for name, value in answer.getheaders():
                    if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = forward

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def stack(ea, wc, tmp_path):
    """gunicorn and qcluster with production settings, behind the proxy; yields the public base URL."""
    web_port = free_port()
    proxy = Proxy(web_port)
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "false",
        "SECRET_KEY": "smoke-test-" + "s" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SILTA_ENCRYPTION_KEYS": ",".join(settings.SILTA_ENCRYPTION_KEYS),  # this process reads the rows too
        "DATABASE_URL": database_url(connection.settings_dict),
        "STATIC_ROOT": str(tmp_path / "static"),
        "SILTA_BASE_URL": proxy.url,  # https://… behind real nginx
        "EACCOUNTING_IDENTITY_URL": ea.base,
        "EACCOUNTING_API_URL": f"{ea.base}/v2",
        "EACCOUNTING_CLIENT_ID": "silta-demo",
        "EACCOUNTING_CLIENT_SECRET": "silta-demo-secret",
        "WEBSHOP_ALLOW_HTTP_HOSTS": "127.0.0.1",
        "SILTA_HEALTH_TOKEN": "smoke-health-token",  # /healthz shows the queue's details only with it
        "GUNICORN_BIND": f"127.0.0.1:{web_port}",
        "GUNICORN_WORKERS": "2",
        "Q_WORKERS": "2",
    }
    collected = manage("collectstatic", "--noinput", env=env)
    assert collected.returncode == 0, collected.stderr
    web = start(
        ["-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "portal.wsgi"], env, tmp_path / "gunicorn.log"
    )
    cluster = start([str(ROOT / "manage.py"), "qcluster"], env, tmp_path / "qcluster.log")
    # production's layout: order work on a cluster of its own (SILTA_ORDERS_QUEUE's default)
    orders = start(
        [str(ROOT / "manage.py"), "qcluster"],
        {**env, "Q_CLUSTER_NAME": "silta-orders"},
        tmp_path / "qcluster-orders.log",
    )
    try:
        wait_for(
            lambda: get_quietly(f"http://127.0.0.1:{web_port}/healthz") is not None, 30, "gunicorn to answer"
        )
        yield {"url": proxy.url, "direct": f"http://127.0.0.1:{web_port}"}
    finally:
        outputs = {"gunicorn": finish(web), "qcluster": finish(cluster), "qcluster-orders": finish(orders)}
        proxy.close()
    for name, output in outputs.items():
        assert "Traceback" not in output, f"{name}:\n{output[-5000:]}"


class Portal:
    """A person's browser: one session, CSRF token from the cookie, Origin as a browser sends it."""

    def __init__(self, base):
        self.base = base
        self.http = requests.Session()
        self.http.headers["Origin"] = "https://" + urlsplit(base).netloc  # the public origin, HTTPS

    def get(self, path, **kwargs):
        url = path if path.startswith("http") else self.base + path
        return self.http.get(url, timeout=30, **kwargs)

    def post(self, path, data=None, **kwargs):
        data = {**(data or {}), "csrfmiddlewaretoken": self.http.cookies.get("csrftoken")}
        return self.http.post(self.base + path, data=data, timeout=30, **kwargs)

    def log_in(self, username, password):
        page = self.get(reverse("admin:login"))
        assert page.status_code == 200 and "csrftoken" in self.http.cookies
        return self.post(reverse("admin:login"), {"username": username, "password": password, "next": "/"})


def first_sync_status(portal, slug):
    page = portal.get(reverse("first_sync", args=[slug]))
    assert page.status_code == 200
    return re.search(r'id="first-sync-status" data-status="([a-z]*)"', page.text).group(1)


@pytest.fixture
def secure_cookies_over_the_last_hop(monkeypatch):
    """Django marks the session and CSRF cookies Secure. A browser sends them to nginx over HTTPS;
    this client's hop to the stand-in proxy is plain HTTP, so it is told to send them anyway."""
    monkeypatch.setattr(DefaultCookiePolicy, "return_ok_secure", lambda self, cookie, request: True)


@pytest.mark.slow
def test_production_stack_activates_a_tenant_and_moves_articles_and_an_order(
    stack, ea, wc, django_user_model, secure_cookies_over_the_last_hop
):
    began = time.monotonic()
    base = stack["url"]

    # --- production settings, as nginx's clients see them ---------------------------------------
    plain = get_quietly(stack["direct"] + reverse("admin:login"))  # not through the TLS proxy
    assert plain.status_code == 301 and plain.headers["Location"].startswith("https://")
    health = wait_for(
        lambda: (
            (r := get_quietly(base + "/healthz", headers={"X-Health-Token": "smoke-health-token"}))
            is not None
            and r.status_code == 200
            and r
        ),
        30,
        "a task cluster to report to /healthz",
    )
    assert health.json()["queue"]["clusters"] >= 1
    login_page = requests.get(base + reverse("admin:login"), timeout=10)
    assert login_page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Secure" in login_page.headers["Set-Cookie"] and "DEBUG" not in login_page.text
    stylesheet = re.search(r'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', login_page.text)
    assert stylesheet, (
        "the admin's CSS is not referenced by its hashed name: collectstatic's manifest is not in use"
    )
    css = requests.get(base + stylesheet.group(1), timeout=10)
    assert css.status_code == 200 and css.headers["Content-Type"].startswith("text/css")
    assert "immutable" in css.headers["Cache-Control"]  # WhiteNoise, far-future for hashed names
    assert requests.get(base + "/static/admin/css/base.css", timeout=10).status_code == 200

    # --- an owner and their company --------------------------------------------------------------
    company = ea.companies()[0]
    tenant = Tenant.objects.create(
        name="Kahvila Tuotanto Oy", slug="tuotanto", business_id=company["corporate_identity_number"]
    )
    hasher = PBKDF2PasswordHasher()  # production's hasher: this suite's fast MD5 is unknown there
    owner = django_user_model.objects.create(
        username="omistaja", is_staff=True, password=hasher.encode("pw-omistaja-123", hasher.salt())
    )
    Membership.objects.create(tenant=tenant, user=owner, role=Membership.Role.OWNER)
    portal = Portal(base)
    dashboard = portal.log_in("omistaja", "pw-omistaja-123")
    assert dashboard.status_code == 200 and 'data-tenant="tuotanto"' in dashboard.text, dashboard.text[:2000]

    # --- connect eAccounting: Visma's OAuth login and company picker (the sandbox) ------------------
    start_login = portal.post(reverse("eaccounting_connect", args=[tenant.slug]), allow_redirects=False)
    assert start_login.status_code == 302 and start_login.headers["Location"].startswith(
        f"{ea.base}/connect/authorize"
    )
    callback = sign_in_at_visma(start_login.headers["Location"], company["name"])
    assert callback.startswith(f"{base}/oauth/eaccounting/callback/")
    connected = portal.get(callback)
    assert "is connected to eAccounting company" in html.unescape(connected.text), connected.text[:3000]

    # --- connect the shop: WooCommerce's key approval; the keys arrive server to server ------------
    approval = portal.post(
        reverse("webshop_connect", args=[tenant.slug]), {"base_url": wc.url}, allow_redirects=False
    )
    assert approval.status_code == 302 and approval.headers["Location"].startswith(
        f"{wc.url}/wc-auth/v1/authorize"
    )
    approved = portal.get(approve_at_shop(wc.url, approval.headers["Location"]))
    assert "approved Silta&#x27;s access" in approved.text or "approved Silta's access" in approved.text
    tested = portal.post(reverse("webshop_test", args=[tenant.slug]))
    assert "currency EUR" in tested.text, tested.text[:3000]

    # --- Activate integration? Yes (webhooks are registered at the shop, to the public address) --
    preflight = portal.get(reverse("tenant_activate", args=[tenant.slug]))
    assert "Activate integration?" in preflight.text and 'id="blockers"' not in preflight.text
    activated = portal.post(reverse("tenant_activate", args=[tenant.slug]), {"answer": "yes"})
    assert activated.url.endswith(reverse("first_sync", args=[tenant.slug])), activated.text[:3000]
    hooks = wc.control("GET", "/webhooks")
    hooks = hooks.values() if isinstance(hooks, dict) else hooks
    assert any(h.get("delivery_url", "").startswith(f"{base}/webhooks/woocommerce/") for h in hooks), hooks

    # --- the first sync: preview and Yes, both run by the task cluster ----------------------------
    portal.post(reverse("first_sync", args=[tenant.slug]), {"step": "preview"})
    wait_for(lambda: first_sync_status(portal, tenant.slug) == "preview", 30, "the first-sync preview")
    portal.post(reverse("first_sync", args=[tenant.slug]), {"step": "create"})
    status = wait_for(
        lambda: (s := first_sync_status(portal, tenant.slug)) in ("created", "done") and s,
        30,
        "the first-sync import",
    )
    if status == "created":  # a clash to overwrite: confirm it as the owner would
        portal.post(reverse("first_sync", args=[tenant.slug]), {"step": "overwrite", "confirm": "yes"})
        wait_for(lambda: first_sync_status(portal, tenant.slug) == "done", 30, "the confirmed overwrites")

    # --- the cluster's article sync (enqueued by the first sync) puts eAccounting's articles in the shop
    company_id = company["id"]  # the sandbox's own id (Silta keeps the company key)
    wanted = {
        a["Number"]
        for a in ea.control("GET", f"companies/{company_id}/resources/articles")
        if a["IsActive"] and a["SendToWebshop"]
    }
    assert len(wanted) >= 10
    key = (tenant.webshop_connection.api_key, tenant.webshop_connection.api_secret)

    def shop_skus():
        products, page, pages = [], 1, 1
        while page <= pages:
            answer = wc.get("/products", key, params={"per_page": 100, "page": page, "status": "any"})
            assert answer.status_code == 200, answer.text
            products += answer.json()
            page, pages = page + 1, int(answer.headers["X-WP-TotalPages"])
        return {p["sku"]: p for p in products if p.get("sku")}

    skus = wait_for(
        lambda: (found := shop_skus()).keys() >= wanted and found,
        40,
        "eAccounting's articles to reach the shop",
        interval=1,
    )

    # --- an order in the shop reaches eAccounting through the order.created webhook ---------------
    article = next(
        a
        for a in ea.control("GET", f"companies/{company_id}/resources/articles")
        if a["IsActive"] and a["SendToWebshop"] and not a["IsStock"] and a["Number"] in skus
    )
    order = wc.control(
        "POST",
        "/orders",
        {
            "line_items": [{"product_id": skus[article["Number"]]["id"], "quantity": 2}],
            "billing": BUYER,
            "payment_method": "bacs",
            "status": "processing",  # no shipping, no fee: no templates needed
        },
    )

    def transferred():
        return [
            d
            for d in ea.control("GET", f"companies/{company_id}/resources/orders")
            if d.get("YourReference") == str(order["number"])
        ]

    (document,) = wait_for(transferred, 30, f"shop order {order['number']} in eAccounting", interval=0.5)
    assert [row["ArticleId"] for row in document["Rows"] if row.get("ArticleId")] == [article["Id"]]
    assert document["Amount"] + document["VatAmount"] + document["RoundingsAmount"] == pytest.approx(
        float(order["total"])
    )
    transfer = OrderTransfer.objects.get(tenant=tenant, shop_order_id=order["id"])
    assert transfer.document_id == document["Id"]
    # both came from the cluster's queue, not a schedule's next turn (orders: every 5 minutes)
    assert WebhookDelivery.objects.filter(
        tenant=tenant,
        topic="order.created",
        resource_id=str(order["id"]),
        outcome=WebhookDelivery.Outcome.ENQUEUED,
    ).exists()
    runs = SyncRun.objects.filter(tenant=tenant, status=SyncRun.Status.SUCCEEDED)
    assert runs.filter(kind=SyncRun.Kind.ORDERS, trigger=SyncRun.Trigger.WEBHOOK).exists()
    assert runs.filter(kind=SyncRun.Kind.ARTICLES, trigger=SyncRun.Trigger.ACTIVATION).exists()
    assert time.monotonic() - began < 90
