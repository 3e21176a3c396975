"""One Shopify sandbox per test module, reset to a small seed before each test."""

import pytest

from sandbox.shopify.testing import Sandbox

SEED = {"products": 12, "orders": 4, "seed": 3}


@pytest.fixture(scope="module")
def sb():
    server = Sandbox({"seed": SEED})
    yield server
    server.close()


@pytest.fixture
def fresh(sb):
    """The sandbox reset to its seed with default settings; returns a token with every scope."""
    sb.reset(seed=SEED, bucket_size=1000.0, restore_rate=100.0, throttle_status=200, max_query_cost=1000)
    return sb.token()
