"""Every GraphQL document the connector sends is valid against the sandbox's schema, which holds only
what the committed contract documents (tests/sandbox/shopify/test_contract.py)."""

import pytest
from graphql import parse, validate

from integration.webshops.shopify import queries, stock, subscriptions, writer
from sandbox.shopify.schema import build

DOCUMENTS = {
    **{
        name: getattr(queries, name)
        for name in ("ORDERS", "ORDER", "ORDER_LINES", "SHOP", "LOCATIONS", "VARIANTS", "REFUNDS")
    },
    **{
        f"writer.{name}": getattr(writer, name)
        for name in (
            "PRODUCT_SET",
            "PRODUCT_STATUS",
            "PRODUCT_VARIANTS",
            "VARIANTS_UPDATE",
            "ORDER_NOTE",
            "ORDER_UPDATE",
            "ORDER_META",
        )
    },
    **{f"subscriptions.{name}": getattr(subscriptions, name) for name in ("CREATE", "DELETE", "LIST")},
    "stock.SET_QUANTITIES": stock.SET_QUANTITIES,
}


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_the_document_uses_only_documented_fields(name):
    assert validate(build(), parse(DOCUMENTS[name])) == []


def test_the_bulk_catalogue_query_uses_only_documented_fields():
    document = queries.VARIANTS_BULK.format(location="gid://shopify/Location/1001")
    assert validate(build(), parse(document)) == []
