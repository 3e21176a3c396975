"""Products against the sandbox: reads, owned-fields-only writes, batches, variations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from integration.webshops.base import OWNED_PRODUCT_FIELDS, SYNC_HASH_META_KEY, ItemRejected, ProductWrite
from integration.webshops.woocommerce import parse

from .conftest import last_seq, make_shop, writes_logged

FORBIDDEN = {"description", "short_description", "images", "categories", "sale_price"}
SHOP_OWNED = ("description", "short_description", "images", "categories", "sale_price", "tags", "attributes")


def _items(entry: dict) -> list[dict]:
    body = entry["json"] or {}
    if entry["path"].endswith("/batch"):
        return [*(body.get("create") or []), *(body.get("update") or [])]
    return [body]


def assert_only_owned_fields(entries: list[dict]) -> None:
    assert entries, "no product writes were logged"
    for e in entries:
        for item in _items(e):
            assert not FORBIDDEN & set(item), f"{e['method']} {e['path']} wrote {FORBIDDEN & set(item)}"
            assert set(item) <= set(OWNED_PRODUCT_FIELDS) | {"id"}, f"unexpected fields in {item}"


def full_write(p, **changes) -> ProductWrite:
    fields = dict(
        sku=p.sku,
        name=p.name,
        regular_price=p.regular_price,
        tax_class=p.tax_class,
        tax_status=p.tax_status,
        manage_stock=p.manage_stock,
        stock_quantity=p.stock_quantity,
        id=p.id,
        parent_id=p.parent_id,
    )
    fields.update(changes)
    return ProductWrite(**fields)


def test_products_streams_products_and_variations(sb, shop):
    products = list(shop.products())
    shown = sb.control("GET", "/health")
    assert len([p for p in products if p.parent_id is None]) == shown["products"]
    variations = [p for p in products if p.parent_id is not None]
    assert len(variations) == shown["variations"] > 0
    by_id = {p.id: p for p in products}
    for v in variations:
        assert v.type == "variation" and by_id[v.parent_id].type == "variable"
        assert v.name.startswith(by_id[v.parent_id].name)
        assert isinstance(v.regular_price, Decimal)
    simple = [p for p in products if p.type == "simple"]
    assert all(isinstance(p.regular_price, Decimal) for p in simple)
    # page by page: per_page=100 and no more requests than pages
    log = sb.requests_log(path="/wp-json/wc/v3/products", method="GET")
    assert all(e["query"].get("per_page") == "100" for e in log)


def test_products_by_sku(shop):
    products = [p for p in shop.products() if p.parent_id is None and p.sku][:5]
    found = shop.products_by_sku([p.sku for p in products] + ["NO-SUCH-SKU", ""])
    assert set(found) == {p.sku for p in products}
    assert all(found[p.sku].id == p.id for p in products)


def test_writes_carry_only_owned_fields_and_leave_texts_alone(sb, fresh):
    shop = make_shop(sb, fresh)
    product = next(
        p for p in shop.products() if p.type == "simple" and p.raw["images"] and p.raw["description"]
    )
    before = {k: sb.get(f"/products/{product.id}", fresh).json()[k] for k in SHOP_OWNED}
    since = last_seq(sb)
    for n in range(3):
        outcomes = shop.save_products(
            [
                full_write(
                    product,
                    regular_price=Decimal("10.00") + n,
                    name=f"Nimi {n}",
                    meta={"_silta_article_id": "abc"},
                )
            ]
        )
        assert outcomes[0].ok, outcomes[0].error
    after = sb.get(f"/products/{product.id}", fresh).json()
    assert {k: after[k] for k in SHOP_OWNED} == before
    assert (after["regular_price"], after["name"]) == ("12.00", "Nimi 2")
    assert parse.meta(after["meta_data"])["_silta_article_id"] == "abc"
    assert SYNC_HASH_META_KEY in parse.meta(after["meta_data"])
    assert_only_owned_fields(writes_logged(sb, since))


def test_status_is_written_only_when_asked(sb, fresh):
    shop = make_shop(sb, fresh)
    product = next(p for p in shop.products() if p.type == "simple" and p.status == "publish")
    since = last_seq(sb)
    shop.save_products([full_write(product, regular_price=Decimal("5"))])
    assert sb.get(f"/products/{product.id}", fresh).json()["status"] == "publish"
    hidden = shop.save_products([full_write(product, status="draft")])
    assert hidden[0].ok and hidden[0].product.status == "draft"
    shown = shop.save_products([full_write(product, status="publish")])
    assert shown[0].product.status == "publish"
    items = [item for e in writes_logged(sb, since) for item in _items(e)]
    assert ["status" in item for item in items] == [False, True, True]


def test_variation_writes_go_to_the_parents_batch_endpoint(sb, fresh):
    shop = make_shop(sb, fresh)
    v = next(p for p in shop.products() if p.parent_id)
    since = last_seq(sb)
    out = shop.save_products(
        [full_write(v, regular_price=Decimal("77.70"), manage_stock=True, stock_quantity=4)]
    )
    assert out[0].ok and out[0].id == v.id and out[0].product.parent_id == v.parent_id
    logged = writes_logged(sb, since)
    assert [e["path"] for e in logged] == [f"/wp-json/wc/v3/products/{v.parent_id}/variations/batch"]
    assert "name" not in _items(logged[0])[0]  # variations have no name of their own
    assert_only_owned_fields(logged)
    fresh_v = sb.get(f"/products/{v.parent_id}/variations/{v.id}", fresh).json()
    assert (fresh_v["regular_price"], fresh_v["stock_quantity"]) == ("77.70", 4)


def test_thousand_creates_cost_ten_batches(sb, fresh):
    shop = make_shop(sb, fresh)
    since = last_seq(sb)
    writes = [
        ProductWrite(
            sku=f"NEW-{i:04d}",
            name=f"Tuote {i}",
            regular_price=Decimal("9.90"),
            tax_class="standard",
            manage_stock=True,
            stock_quantity=i % 7,
            status="draft",
        )
        for i in range(1000)
    ]
    outcomes = shop.save_products(writes)
    assert len(outcomes) == 1000 and all(o.ok for o in outcomes)
    assert [o.sku for o in outcomes] == [w.sku for w in writes]
    assert len({o.id for o in outcomes}) == 1000
    log = sb.requests_log(since=since)
    assert [(e["method"], e["path"]) for e in log] == [("POST", "/wp-json/wc/v3/products/batch")] * 10
    assert all(len(e["json"]["create"]) == 100 for e in log)
    assert_only_owned_fields(log)


def test_rejected_item_is_reported_with_its_sku_and_the_rest_saved(sb, fresh):
    shop = make_shop(sb, fresh)
    taken = next(p for p in shop.products() if p.parent_id is None and p.sku)
    other = next(p for p in shop.products() if p.parent_id is None and p.sku and p.id != taken.id)
    writes = [
        ProductWrite(sku="FRESH-1", name="Uusi 1", regular_price=Decimal("1.00"), status="draft"),
        ProductWrite(sku=taken.sku, name="Kaksoiskappale", regular_price=Decimal("2.00"), status="draft"),
        ProductWrite(sku="FRESH-2", name="Uusi 2", regular_price=Decimal("3.00"), status="draft"),
        full_write(other, sku=taken.sku),  # an update that would steal the SKU
        full_write(other, id=999999),  # no such product
    ]
    outcomes = shop.save_products(writes)
    assert [o.ok for o in outcomes] == [True, False, True, False, False]
    bad = outcomes[1]
    assert bad.sku == taken.sku and isinstance(bad.error, ItemRejected)
    assert taken.sku in str(bad.error) and "SKU" in str(bad.error)
    assert bad.error.code == "product_invalid_sku"
    assert outcomes[3].sku == taken.sku and outcomes[4].error.status == 404
    found = shop.products_by_sku(["FRESH-1", "FRESH-2", taken.sku])
    assert found["FRESH-1"].id == outcomes[0].id and found["FRESH-2"].id == outcomes[2].id
    assert found[taken.sku].id == taken.id and found[taken.sku].name == taken.name


def test_products_modified_after(sb, fresh):
    shop = make_shop(sb, fresh)
    everything = list(shop.products())
    product = next(p for p in everything if p.type == "simple")
    variation = next(p for p in everything if p.parent_id)
    sb.control("POST", "/clock", {"advance": 120})
    now = datetime.fromisoformat(sb.control("GET", "/clock")["now_gmt"]).replace(tzinfo=UTC)
    shop.save_products(
        [
            full_write(product, regular_price=Decimal("1.23")),
            full_write(variation, regular_price=Decimal("4.56")),
        ]
    )
    sb.control("DELETE", "/requests")
    changed = list(shop.products(modified_after=now - timedelta(seconds=60)))
    # the variation's parent is saved after it (as WooCommerce does): listed, its other variations not
    assert {p.id for p in changed} == {product.id, variation.parent_id, variation.id}
    assert {p.id: p.regular_price for p in changed if p.id != variation.parent_id} == {
        product.id: Decimal("1.23"),
        variation.id: Decimal("4.56"),
    }
    # one page of changed products and the one changed parent's variations: not every variable product's
    assert [r["path"].rsplit("/wc/v3/", 1)[1] for r in sb.requests_log()] == [
        "products",
        f"products/{variation.parent_id}/variations",
    ]
    sb.control("POST", "/clock", {"offset": 0})


@pytest.mark.parametrize("field", sorted(FORBIDDEN))
def test_the_write_rule_is_enforced(field):
    body = parse.write_body(ProductWrite(sku="X", name="Y"), is_variation=False)
    assert set(body) <= set(OWNED_PRODUCT_FIELDS)
    with pytest.raises(AssertionError):
        parse.assert_owned_only({**body, field: "x"})
