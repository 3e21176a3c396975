"""Fixtures for the webshop connector tests: a WooCommerce sandbox over HTTP, API keys, connectors."""

from __future__ import annotations

import pytest

from integration.webshops.woocommerce import WooCommerce
from sandbox.woocommerce.testing import Sandbox

SEED = {"products": 40, "orders": 30, "seed": 11}
KEY = ("ck_silta_test_key", "cs_silta_test_secret")  # predefined: survives sandbox resets


@pytest.fixture(scope="module")
def sb():
    s = Sandbox(
        {
            "seed": SEED,
            "keys": [{"consumer_key": KEY[0], "consumer_secret": KEY[1], "permissions": "read_write"}],
        }
    )
    yield s
    s.close()


@pytest.fixture(scope="module")
def key(sb):
    return KEY


def make_shop(sb, key, **options) -> WooCommerce:
    options.setdefault("backoff", 0.01)
    options.setdefault("max_backoff", 0.05)
    options.setdefault("timeout", 10)
    return WooCommerce(sb.url, key[0], key[1], **options)


@pytest.fixture
def shop(sb, key):
    return make_shop(sb, key)


@pytest.fixture
def fresh(sb):
    """The sandbox reset to its seed (for tests that change data); returns the read_write key."""
    sb.reset(seed=SEED)
    return KEY


def writes_logged(sb, since: int = 0) -> list[dict]:
    """Product and variation writes the sandbox received (REST API, not the control API)."""
    return [
        e
        for e in sb.requests_log(since=since, path="/wp-json/wc/v3/products")
        if e["method"] in ("POST", "PUT", "PATCH")
    ]


def last_seq(sb) -> int:
    log = sb.requests_log()
    return log[-1]["seq"] if log else 0
