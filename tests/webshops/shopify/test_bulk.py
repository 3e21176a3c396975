"""Bulk queries against the sandbox: started, polled, the JSONL result streamed and regrouped."""

import pytest

from integration.webshops.shopify import UserErrors
from integration.webshops.shopify.bulk import grouped, run_bulk_query

from .conftest import Sleeps, make_client

PRODUCTS = "{ products { edges { node { id title variants { edges { node { id sku } } } } } } }"


def test_a_catalogue_comes_in_one_bulk_query(sb, token):
    client = make_client(sb, token)
    objects = list(run_bulk_query(client, PRODUCTS, poll_seconds=0.01))
    pairs = list(grouped(objects))
    assert len(pairs) == 12
    assert all(len(children) == 1 and children[0]["__parentId"] == parent["id"] for parent, children in pairs)
    assert sorted(c["sku"] for _p, cs in pairs for c in cs) == [f"SKU-{n:04d}" for n in range(1, 13)]
    op = client.query("{ currentBulkOperation { status objectCount rootObjectCount } }")[
        "currentBulkOperation"
    ]
    assert op == {"status": "COMPLETED", "objectCount": "24", "rootObjectCount": "12"}


@pytest.mark.slow
def test_the_client_polls_while_the_operation_runs(sb, token):
    sb.control("POST", "/settings", {"bulk_seconds": 1.0})
    sleeps = Sleeps()
    client = make_client(sb, token, sleep=sleeps)
    skus = [
        o["sku"] for o in run_bulk_query(client, "{ productVariants { nodes { sku } } }", poll_seconds=0.05)
    ]
    assert len(skus) == 12 and sleeps  # it was RUNNING at least once, and the client waited


def test_a_bulk_query_without_a_connection_is_refused(sb, token):
    with pytest.raises(UserErrors):
        list(run_bulk_query(make_client(sb, token), "{ shop { name } }"))
