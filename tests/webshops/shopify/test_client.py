"""The Shopify GraphQL client against the sandbox over HTTP: cost, throttling, retries, errors, paging."""

import pytest

from integration.webshops.base import AuthenticationFailed, InsecureURL, ShopUnavailable
from integration.webshops.shopify import (
    CostLimitExceeded,
    GraphQLFailed,
    MissingScope,
    UserErrors,
)

from .conftest import Sleeps, make_client

VARIANTS = """query($first: Int, $after: String) { productVariants(first: $first, after: $after) {
  nodes { sku inventoryItem { id } } pageInfo { hasNextPage endCursor } } }"""
SET = """mutation set($input: InventorySetQuantitiesInput!) { inventorySetQuantities(input: $input) {
  inventoryAdjustmentGroup { id } userErrors { code field message } } }"""
LEVEL = """query($id: ID!) { inventoryItem(id: $id) { inventoryLevel(locationId: "gid://shopify/Location/1001") {
  quantities(names: ["available"]) { name quantity } } } }"""
LOCATION = "gid://shopify/Location/1001"


def _first_item(client):
    return next(client.nodes(VARIANTS, ("productVariants",), page_size=5))["inventoryItem"]["id"]


def _available(client, item):
    return client.query(LEVEL, {"id": item})["inventoryItem"]["inventoryLevel"]["quantities"][0]["quantity"]


def _set(client, item, quantity, change_from):
    q = {
        "inventoryItemId": item,
        "locationId": LOCATION,
        "quantity": quantity,
        "changeFromQuantity": change_from,
    }
    return client.mutate(
        SET,
        {"input": {"name": "available", "reason": "correction", "quantities": [q]}},
        payload="inventorySetQuantities",
    )


def test_a_query_reads_data_and_the_cost(client):
    shop = client.query("{ shop { name currencyCode taxesIncluded } }")["shop"]
    assert shop == {"name": "Silta Sandbox", "currencyCode": "EUR", "taxesIncluded": True}
    assert client.last_cost.requested == 1 and client.last_cost.actual == 1
    assert client.budget.status.maximum_available == 1000.0 and client.budget.status.restore_rate == 100.0
    assert client.budget.spent == 1


def test_nodes_follows_the_cursor_through_every_page(client, sb):
    skus = [n["sku"] for n in client.nodes(VARIANTS, ("productVariants",), page_size=5)]
    assert skus == [f"SKU-{n:04d}" for n in range(1, 13)]
    assert client.requests_made == 3  # 5 + 5 + 2


def test_a_throttled_request_waits_for_the_bucket_and_is_sent_again(client, sb):
    sb.control("POST", "/settings", {"restore_rate": 1000.0})
    sb.control("POST", "/bucket", {"currentlyAvailable": 0})
    data = client.query("{ products(first: 50) { nodes { id } } }")
    assert len(data["products"]["nodes"]) == 12
    assert client.throttled >= 1
    assert client.sleep and client.sleep[0] == pytest.approx(52 / 1000 + 0.05, abs=0.02)


def test_the_budget_waits_before_a_request_the_bucket_cannot_hold(sb, token):
    sleeps = Sleeps()
    client = make_client(sb, token, sleep=sleeps)
    client.query("{ products(first: 50) { nodes { id } } }")  # learns: this document costs 52
    sb.control("POST", "/settings", {"restore_rate": 500.0})
    client.budget.observe(client.budget.status.__class__(1000.0, 2.0, 500.0))  # as if others spent the bucket
    client.query("{ products(first: 50) { nodes { id } } }")
    assert sleeps and sleeps[0] == pytest.approx(50 / 500, abs=0.02)
    assert client.throttled == 0


def test_a_query_is_retried_after_server_errors(client, sb):
    sb.control("POST", "/faults", {"fail_next": 2, "fail_status": 503})
    assert client.query("{ shop { name } }")["shop"]["name"] == "Silta Sandbox"
    assert client.requests_made == 3


def test_a_mutation_is_not_repeated_after_a_server_error(client, sb):
    item = _first_item(client)
    before = _available(client, item)
    sb.control("POST", "/faults", {"fail_next": 1, "fail_status": 500})
    made = client.requests_made
    with pytest.raises(ShopUnavailable) as exc:
        _set(client, item, before + 5, before)
    assert exc.value.outcome_unknown and client.requests_made == made + 1


def test_a_lost_answer_to_a_mutation_is_an_unknown_outcome(client, sb):
    item = _first_item(client)
    before = _available(client, item)
    sb.control("POST", "/faults", {"drop_next_mutations": 1})
    with pytest.raises(ShopUnavailable) as exc:
        _set(client, item, before + 3, before)
    assert exc.value.outcome_unknown
    assert _available(client, item) == before + 3  # it did happen: the caller must look before repeating


def test_user_errors_are_typed(client):
    item = _first_item(client)
    before = _available(client, item)
    with pytest.raises(UserErrors) as exc:
        _set(client, item, 7, before + 1)
    assert exc.value.codes() == ["CHANGE_FROM_QUANTITY_STALE"]
    assert exc.value.errors[0].field == ("input", "quantities", "0", "changeFromQuantity")
    assert _available(client, item) == before
    assert _set(client, item, 7, before)["inventoryAdjustmentGroup"]["id"].startswith("gid://shopify/")


def test_a_wrong_token_and_a_missing_scope(sb, token):
    with pytest.raises(AuthenticationFailed):
        make_client(sb, "shpat_wrong").query("{ shop { name } }")
    with pytest.raises(MissingScope):
        make_client(sb, sb.token("read_products")).query("{ orders(first: 1) { nodes { id } } }")


def test_graphql_errors_are_typed(client):
    with pytest.raises(GraphQLFailed):
        client.query("{ shop { noSuchField } }")
    with pytest.raises(CostLimitExceeded):
        client.query("{ products(first: 250) { nodes { variants(first: 250) { nodes { id } } } } }")


def test_plain_http_to_another_host_is_refused_before_sending(sb, token):
    client = make_client(sb, token, allow_http_hosts=[], allow_private_hosts=[])
    with pytest.raises(InsecureURL):
        client.query("{ shop { name } }")
    assert client.requests_made == 0
