"""Setting stock with compare-and-set: a sale in between is never overwritten."""

from integration.webshops.shopify.reader import ShopifyReader
from integration.webshops.shopify.stock import StockChange, StockOutcome, set_stock

from .conftest import make_client


def test_stock_is_set_unless_it_changed_since_it_was_read(sb, token):
    reader = ShopifyReader(make_client(sb, token))
    products = reader.products_by_sku(["SKU-0001", "SKU-0002", "SKU-0003"])
    a, b, c = (products[s] for s in ("SKU-0001", "SKU-0002", "SKU-0003"))
    # a sale of SKU-0002 in the shop after Silta read it
    sb.control("POST", "/orders", {"lines": [{"sku": "SKU-0002", "quantity": 1}]})
    item_b = b.meta["inventory_item_id"]
    changes = [
        StockChange(a.meta["inventory_item_id"], a.stock_quantity, 40),
        StockChange(item_b, b.stock_quantity, 41),
        StockChange(c.meta["inventory_item_id"], c.stock_quantity, 42),
        StockChange("gid://shopify/InventoryItem/1", 0, 5),
    ]
    outcomes = set_stock(reader.client, reader.location(), changes)
    assert {k: v[0] for k, v in outcomes.items()} == {
        a.meta["inventory_item_id"]: StockOutcome.SET,
        item_b: StockOutcome.STALE,
        c.meta["inventory_item_id"]: StockOutcome.SET,
        "gid://shopify/InventoryItem/1": StockOutcome.REFUSED,
    }
    after = reader.products_by_sku(["SKU-0001", "SKU-0002", "SKU-0003"])
    assert after["SKU-0001"].stock_quantity == 40 and after["SKU-0003"].stock_quantity == 42
    assert after["SKU-0002"].stock_quantity == b.stock_quantity - 1  # the sale is kept


def test_a_repeat_after_a_lost_answer_changes_nothing_more(sb, token):
    reader = ShopifyReader(make_client(sb, token))
    p = reader.products_by_sku(["SKU-0004"])["SKU-0004"]
    change = StockChange(p.meta["inventory_item_id"], p.stock_quantity, p.stock_quantity + 7)
    assert (
        set_stock(reader.client, reader.location(), [change])[change.inventory_item_id][0] == StockOutcome.SET
    )
    again = set_stock(reader.client, reader.location(), [change])
    assert again[change.inventory_item_id][0] == StockOutcome.STALE
    assert reader.products_by_sku(["SKU-0004"])["SKU-0004"].stock_quantity == p.stock_quantity + 7
