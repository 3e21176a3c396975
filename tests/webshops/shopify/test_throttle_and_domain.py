"""The cost budget's arithmetic and the store-address rule (pure)."""

import pytest

from integration.webshops.shopify import Cost, CostBudget, NotAShopDomain, ThrottleStatus, shop_domain


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_the_budget_refills_at_the_restore_rate_up_to_the_bucket():
    clock = Clock()
    budget = CostBudget(clock)
    assert budget.wait_for(500) == 0  # nothing known yet
    budget.observe(ThrottleStatus(1000.0, 10.0, 100.0), actual=40)
    assert budget.wait_for(50) == pytest.approx(0.4)
    clock.now += 0.4
    assert budget.wait_for(50) == 0
    clock.now += 100
    assert budget.expected_available() == 1000.0
    assert budget.wait_for(5000) == 0  # never more than a full bucket
    assert budget.spent == 40


def test_cost_is_read_from_an_answer():
    body = {
        "extensions": {
            "cost": {
                "requestedQueryCost": 752,
                "actualQueryCost": None,
                "throttleStatus": {
                    "maximumAvailable": 1000.0,
                    "currentlyAvailable": 666,
                    "restoreRate": 50.0,
                },
            }
        }
    }
    cost = Cost.from_answer(body)
    assert cost == Cost(752, None, ThrottleStatus(1000.0, 666.0, 50.0))
    assert Cost.from_answer({"data": {}}) is None


@pytest.mark.parametrize(
    "typed, domain",
    [
        ("kahvila-aurinko.myshopify.com", "kahvila-aurinko.myshopify.com"),
        ("https://Kahvila-Aurinko.myshopify.com/", "kahvila-aurinko.myshopify.com"),
        ("shop1.myshopify.com", "shop1.myshopify.com"),
    ],
)
def test_a_myshopify_domain_is_accepted(typed, domain):
    assert shop_domain(typed) == domain


@pytest.mark.parametrize(
    "typed",
    [
        "evil.com",
        "shop.myshopify.com.evil.com",
        "a.b.myshopify.com",
        "shop.myshopify.com:8443",
        "user@shop.myshopify.com",
        "shop.myshopify.com/admin",
        "-shop.myshopify.com",
        "shop-.myshopify.com",
        ".myshopify.com",
        "",
        "shop_1.myshopify.com",
        "myshopify.com",
    ],
)
def test_anything_else_is_refused(typed):
    with pytest.raises(NotAShopDomain):
        shop_domain(typed)
