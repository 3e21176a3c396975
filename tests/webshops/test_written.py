"""The one hash of what Silta wrote (webshops/written.py): WooCommerce's stored hashes keep their
value (products written before carry them), and Shopify's per-link check uses the same function."""

from decimal import Decimal

from integration.webshops import written
from integration.webshops.shopify.connector import ShopifyWebshop
from integration.webshops.woocommerce import parse


def test_woocommerce_hashes_are_what_they_were():
    body = {
        "sku": "A-1",
        "name": "Kuppi",
        "regular_price": "12.50",
        "tax_class": "",
        "tax_status": "taxable",
        "manage_stock": True,
        "stock_quantity": 7,
        "meta_data": [{"key": "_silta_unit", "value": "kpl"}],
    }
    assert parse.sync_hash(body) == (
        "v1:manage_stock,meta._silta_unit,name,regular_price,sku,stock_quantity,tax_class,tax_status:"
        "e4b9ac245c514574a7048cb0630620ce"
    )  # computed by the code before the hash moved to written.py
    untracked = {
        "sku": "B-2",
        "regular_price": "5",
        "manage_stock": False,
        "status": "draft",
        "meta_data": [],
    }
    assert parse.sync_hash(untracked) == (
        "v1:manage_stock,regular_price,sku,status,stock_quantity:c9e5be88284316485658cd66dafd452f"
    )


def test_the_same_values_in_either_platforms_words_hash_the_same():
    as_written = {"sku": "K-1", "regular_price": Decimal("12.5"), "manage_stock": True, "stock_quantity": 3}
    as_shown = {"sku": " K-1", "regular_price": "12.50", "manage_stock": True, "stock_quantity": "3"}
    assert written.owned_hash(as_written) == written.owned_hash(as_shown)
    assert written.owned_hash(as_written) != written.owned_hash({**as_shown, "regular_price": "12.49"})
    assert written.fields_of(written.owned_hash(as_written)) == [
        "manage_stock",
        "regular_price",
        "sku",
        "stock_quantity",
    ]
    assert written.fields_of("v2:sku:abc") is None and written.fields_of(None) is None


def test_a_shopify_products_update_in_the_interfaces_words():
    payload = {
        "id": 632910392,
        "status": "draft",
        "variants": [
            {
                "id": 808950810,
                "sku": "IPOD2008PINK",
                "price": "199.00",
                "taxable": True,
                "inventory_management": "shopify",
                "inventory_quantity": 10,
            },
            {
                "id": 49148385,
                "sku": "IPOD2008RED",
                "price": "199.00",
                "taxable": False,
                "inventory_management": None,
            },
        ],
    }
    shown = ShopifyWebshop(None).shown_values(payload)  # type: ignore[arg-type]  # no client needed
    assert shown[808950810] == {
        "sku": "IPOD2008PINK",
        "regular_price": "199.00",
        "tax_status": "taxable",
        "manage_stock": True,
        "status": "draft",
        "stock_quantity": 10,
    }
    assert shown[49148385]["tax_status"] == "none" and "stock_quantity" not in shown[49148385]
