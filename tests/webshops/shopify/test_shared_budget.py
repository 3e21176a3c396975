"""The store's cost budget shared by every worker (one ApiBudget row), and the client using it."""

import pytest

from integration.models import ApiBudget
from integration.webshops.shopify import ThrottleStatus
from integration.webshops.shopify.shared_budget import SharedCostBudget, key_for

from .conftest import make_client

SHOP = "kahvila.myshopify.com"
FULL = ThrottleStatus(1000.0, 1000.0, 100.0)


@pytest.mark.django_db
def test_workers_reserve_points_in_turn_and_get_back_what_was_not_charged():
    one, two = SharedCostBudget(SHOP), SharedCostBudget(SHOP)  # two workers, one store
    one.observe(FULL)
    two.observe(FULL)
    assert one.wait_for(600) == 0
    assert two.wait_for(600) == pytest.approx(2.0, abs=0.1)  # 400 left: 200 more need 2 s at 100/s
    one.observe(ThrottleStatus(1000.0, 900.0, 100.0), actual=100, reserved=600)  # charged 100, not 600
    assert two.wait_for(300) == pytest.approx(0.0, abs=0.1)  # 600 + 100 spent, 300 left
    assert ApiBudget.objects.filter(key=key_for(SHOP)).count() == 1


@pytest.mark.django_db
def test_shopify_saying_less_is_left_moves_the_budget():
    budget = SharedCostBudget(SHOP)
    budget.observe(FULL)
    assert budget.wait_for(100) == 0
    budget.observe(ThrottleStatus(1000.0, 0.0, 100.0), actual=100, reserved=100)  # someone else emptied it
    assert budget.wait_for(100) == pytest.approx(1.0, abs=0.1)


@pytest.mark.django_db
def test_the_client_spends_through_the_shared_row(sb, token):
    budget = SharedCostBudget("silta-sandbox.myshopify.com")
    client = make_client(sb, token, budget=budget)
    client.query("{ products(first: 10) { nodes { id } } }")
    client.query("{ products(first: 10) { nodes { id } } }")
    assert budget.size == 1000.0 and budget.rate == 100.0 and budget.spent == 24
    assert ApiBudget.objects.filter(key="shopify:silta-sandbox.myshopify.com").exists()


@pytest.mark.django_db
def test_a_first_reservation_at_the_default_rate_is_given_back_whole_when_the_answer_tells_the_rate():
    """A fresh worker reserves a full bucket for a document it has not seen answered, at the default
    (smallest) rate; the answer says the store restores faster and charged 2 points: the next new
    document must not wait for seconds reserved at the old rate (activation asked six in a row)."""
    budget = SharedCostBudget(SHOP)
    assert budget.wait_for(float("inf")) == pytest.approx(0.0, abs=0.1)  # a full bucket at 50 points/s: 20 s
    budget.observe(ThrottleStatus(1000.0, 998.0, 100.0), actual=2, reserved=float("inf"))
    assert budget.wait_for(float("inf")) == pytest.approx(0.0, abs=0.1)
