"""Retries and lost answers, with the sandbox's fault switches."""

from __future__ import annotations

from decimal import Decimal

import pytest

from integration.webshops.base import ProductWrite, ShopUnavailable

from .conftest import last_seq, make_shop


@pytest.fixture
def shop(sb, fresh):
    yield make_shop(sb, fresh)
    sb.control("DELETE", "/faults")


def faults(sb, **switches):
    sb.control("POST", "/faults", switches)


def new(i: int) -> ProductWrite:
    return ProductWrite(sku=f"F-{i}", name=f"Vika {i}", regular_price=Decimal("1.00"), status="draft")


def test_reads_are_retried_after_server_errors(sb, shop):
    faults(sb, fail_next=2, fail_status=503, rate_limit_retry_after=0)
    since = last_seq(sb)
    assert shop.settings().currency == "EUR"
    statuses = [e["status"] for e in sb.requests_log(since=since, path="/wp-json/wc/v3/settings/general")]
    assert statuses == [503, 503, 200]


def test_reads_are_retried_after_rate_limiting(sb, shop):
    faults(sb, rate_limit_burst=2, rate_limit_retry_after=0)
    assert len(shop.tax_rates()) == 4
    assert sb.control("GET", "/counters")["fault:429"] == 2


def test_reads_give_up_after_the_attempts(sb, shop):
    faults(sb, fail_next=10, fail_status=500)
    with pytest.raises(ShopUnavailable) as exc:
        shop.tax_classes()
    assert exc.value.status == 500 and not exc.value.outcome_unknown
    assert shop.client.requests_made == shop.client.max_attempts == 4


def test_a_create_whose_answer_is_lost_is_not_sent_again(sb, shop):
    faults(sb, drop_next_writes=1)
    since = last_seq(sb)
    with pytest.raises(ShopUnavailable) as exc:
        shop.save_products([new(1), new(2)])
    assert exc.value.outcome_unknown and exc.value.unknown_skus == ["F-1", "F-2"]
    assert "unknown whether" in str(exc.value)
    posts = sb.requests_log(since=since, method="POST")
    assert len(posts) == 1 and posts[0].get("dropped")
    # the caller looks them up: the shop did save them
    assert set(shop.products_by_sku(["F-1", "F-2"])) == {"F-1", "F-2"}


def test_a_create_answered_with_a_server_error_is_not_sent_again(sb, shop):
    faults(sb, fail_next=1, fail_status=500)
    with pytest.raises(ShopUnavailable) as exc:
        shop.save_products([new(3)])
    assert exc.value.outcome_unknown and exc.value.unknown_skus == ["F-3"]
    assert shop.products_by_sku(["F-3"]) == {}  # this time it was not saved: the caller creates it again


def test_a_rate_limited_create_is_retried(sb, shop):
    faults(sb, rate_limit_burst=1, rate_limit_retry_after=0)
    out = shop.save_products([new(4)])
    assert out[0].ok


def test_an_update_whose_answer_is_lost_is_retried(sb, shop):
    product = next(p for p in shop.products() if p.type == "simple")
    faults(sb, drop_next_writes=1)
    since = last_seq(sb)
    out = shop.save_products([ProductWrite(sku=product.sku, regular_price=Decimal("3.33"), id=product.id)])
    assert out[0].ok and out[0].product.regular_price == Decimal("3.33")
    assert len(sb.requests_log(since=since, method="POST")) == 2


def test_partial_outcomes_survive_a_failed_batch(sb, shop):
    products = list(shop.products())
    simple = next(p for p in products if p.type == "simple")
    parent = next(p for p in products if p.type == "variable")
    faults(sb, fail_next=1, fail_status=502, paths=[f"/wp-json/wc/v3/products/{parent.id}/variations"])
    writes = [
        ProductWrite(sku=simple.sku, regular_price=Decimal("8.00"), id=simple.id),
        ProductWrite(sku="VAR-NEW", regular_price=Decimal("9.00"), parent_id=parent.id),
    ]
    with pytest.raises(ShopUnavailable) as exc:
        shop.save_products(writes)
    assert [(o.sku, o.ok) for o in exc.value.partial] == [(simple.sku, True)]
    assert exc.value.unknown_skus == ["VAR-NEW"]


def test_a_smaller_batch_limit_is_followed(sb, shop):
    sb.control("PATCH", "/settings", {"batch_limit": 30})
    try:
        since = last_seq(sb)
        out = shop.save_products([new(i) for i in range(100, 200)])
        assert len(out) == 100 and all(o.ok for o in out)
        sizes = [(e["status"], len(e["json"]["create"])) for e in sb.requests_log(since=since, method="POST")]
        assert [s for s in sizes if s[0] == 200] and all(n <= 30 for st, n in sizes if st == 200)
        assert sum(n for st, n in sizes if st == 200) == 100
    finally:
        sb.control("PATCH", "/settings", {"batch_limit": 100})
