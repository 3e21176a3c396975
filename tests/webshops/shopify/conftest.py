"""A Shopify sandbox over HTTP and clients for it."""

import pytest

from integration.webshops.shopify import CostBudget, ShopifyClient
from sandbox.shopify.testing import Sandbox

SEED = {"products": 12, "orders": 4, "seed": 5}


@pytest.fixture(scope="module")
def sb():
    server = Sandbox({"seed": SEED})
    yield server
    server.close()


@pytest.fixture
def token(sb):
    """The sandbox reset to its seed and default settings; a token with every scope Silta uses."""
    sb.reset(seed=SEED, bucket_size=1000.0, restore_rate=100.0, throttle_status=200, max_query_cost=1000)
    return sb.token()


class Sleeps(list):
    """A sleep that records how long it was asked to wait (and waits that long)."""

    def __call__(self, seconds: float) -> None:
        import time

        self.append(seconds)
        time.sleep(seconds)


def make_client(sb, token, **options) -> ShopifyClient:
    options.setdefault("allow_http_hosts", ["127.0.0.1"])
    options.setdefault("allow_private_hosts", ["127.0.0.1"])
    options.setdefault("backoff", 0.01)
    options.setdefault("max_backoff", 0.05)
    options.setdefault("timeout", 10)
    options.setdefault("budget", CostBudget())
    return ShopifyClient(sb.url, token, **options)


@pytest.fixture
def client(sb, token):
    return make_client(sb, token, sleep=Sleeps())


class Receiver:
    """A local HTTP endpoint that records every POST (headers, raw body) and answers 200."""

    def __init__(self):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the standard library's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                received.append((dict(self.headers.items()), body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/webhooks/shop-1/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()
