"""The sandbox's products/update body against the published shape (the REST Product resource,
sandbox/contracts/shopify/webhook-products-update.json): every key, with the same JSON type."""

import json

from sandbox.contracts import DIR
from sandbox.shopify.schema import _product_payload
from sandbox.shopify.store import Store

EXAMPLE = json.loads((DIR / "shopify" / "webhook-products-update.json").read_text())["example"]


def _kind(value):
    return "null" if value is None else type(value).__name__


def _shape_problems(example, sent, path="$"):
    problems = []
    for key, value in example.items():
        if key not in sent:
            problems.append(f"{path}.{key}: missing")
        elif isinstance(value, list):
            problems += _shape_problems(value[0], sent[key][0], f"{path}.{key}[0]")
        elif _kind(sent[key]) != _kind(value):
            problems.append(f"{path}.{key}: {_kind(sent[key])} sent, {_kind(value)} published")
    return problems


def test_the_products_update_body_has_the_published_shape():
    store = Store()
    product = store.add_product("Kahvikuppi", [{"sku": "K-1", "price": "12.50", "quantity": 3}])
    sent = _product_payload(store, product)
    assert _shape_problems(EXAMPLE, sent) == []
    (variant,) = sent["variants"]
    assert variant["sku"] == "K-1" and variant["price"] == "12.50" and variant["inventory_quantity"] == 3
    assert sent["status"] == "active" and variant["product_id"] == sent["id"]


def test_an_untracked_variant_shows_no_inventory_management():
    store = Store()
    product = store.add_product("Lahjakortti", [{"sku": "G-1", "price": "20.00", "quantity": None}])
    (variant,) = _product_payload(store, product)["variants"]
    assert variant["inventory_management"] is None
