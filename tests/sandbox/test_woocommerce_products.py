"""Products and variations: CRUD, batch, paging, filters, SKU rules, untouched fields."""

from __future__ import annotations

import pytest

from sandbox.woocommerce.testing import Sandbox

SANDBOX = "woocommerce"


@pytest.fixture
def key(sb):
    sb.reset()
    return sb.key("read_write")


def _product(**kw):
    body = {"name": "Villasukat", "type": "simple", "regular_price": "24.90"}
    body.update(kw)
    return body


def test_create_get_update_delete(sb, key):
    r = sb.post("/products", key, json=_product(sku="VS-1", manage_stock=True, stock_quantity=5))
    assert r.status_code == 201, r.text
    p = r.json()
    assert p["price"] == "24.90" and p["regular_price"] == "24.90" and p["sale_price"] == ""
    assert p["stock_quantity"] == 5 and p["stock_status"] == "instock" and p["manage_stock"] is True
    assert sb.get(f"/products/{p['id']}", key).json()["sku"] == "VS-1"

    r = sb.put(f"/products/{p['id']}", key, json={"sale_price": "19.90", "stock_quantity": 0})
    assert r.status_code == 200
    u = r.json()
    assert u["price"] == "19.90" and u["on_sale"] is True
    assert u["stock_status"] == "outofstock" and u["stock_quantity"] == 0

    r = sb.api(
        "PATCH", f"/products/{p['id']}", key, json={"manage_stock": False, "stock_status": "onbackorder"}
    )
    assert r.json()["stock_quantity"] is None and r.json()["stock_status"] == "onbackorder"

    assert sb.delete(f"/products/{p['id']}", key).json()["status"] == "trash"
    r = sb.delete(f"/products/{p['id']}", key, params={"force": "true"})
    assert r.status_code == 200 and r.json()["id"] == p["id"]
    assert sb.get(f"/products/{p['id']}", key).status_code == 404


def test_untouched_fields_stay_exactly_as_given(sb, key):
    desc = "<p>Lämpimät <strong>villasukat</strong> – 100 % villaa.</p>\n<p>Pesu 30 °C.</p>"
    images = [
        {"src": "http://127.0.0.1/img/a.jpg", "name": "a", "alt": "Sukat"},
        {"src": "http://127.0.0.1/img/b.jpg", "name": "b", "alt": ""},
    ]
    p = sb.post(
        "/products",
        key,
        json=_product(
            description=desc, short_description="Lyhyt", images=images, categories=[{"id": 16}, {"id": 17}]
        ),
    ).json()
    u = sb.put(f"/products/{p['id']}", key, json={"regular_price": "26.00"}).json()
    assert u["description"] == desc and u["short_description"] == "Lyhyt"
    assert u["images"] == p["images"]
    assert [i["src"] for i in u["images"]] == [i["src"] for i in images]
    assert [(c["id"], c["name"]) for c in u["categories"]] == [(16, "Vaatteet"), (17, "Asusteet")]
    assert u["date_modified_gmt"] >= p["date_modified_gmt"]


def test_date_modified_changes_on_every_change(sb, key):
    p = sb.post("/products", key, json=_product()).json()
    sb.control("POST", "/clock", {"advance": 3600})
    u = sb.put(f"/products/{p['id']}", key, json={"name": "Villasukat 2"}).json()
    assert u["date_modified_gmt"] > p["date_modified_gmt"]
    assert u["date_created_gmt"] == p["date_created_gmt"]


def test_sku_unique_across_products_and_variations(sb, key):
    parent = sb.post(
        "/products",
        key,
        json={
            "name": "Pipo",
            "type": "variable",
            "attributes": [{"name": "Koko", "variation": True, "visible": True, "options": ["S", "M"]}],
        },
    ).json()
    r = sb.post(
        f"/products/{parent['id']}/variations",
        key,
        json={"regular_price": "29.90", "sku": "PIPO-S", "attributes": [{"name": "Koko", "option": "S"}]},
    )
    assert r.status_code == 201, r.text
    v = r.json()
    assert v["sku"] == "PIPO-S" and v["price"] == "29.90"
    r = sb.post("/products", key, json=_product(sku="PIPO-S"))
    assert r.status_code == 400 and r.json()["code"] == "product_invalid_sku"
    r = sb.post(f"/products/{parent['id']}/variations", key, json={"regular_price": "1", "sku": "PIPO-S"})
    assert r.status_code == 400 and r.json()["code"] == "product_invalid_sku"
    # parent's price comes from its variations
    got = sb.get(f"/products/{parent['id']}", key).json()
    assert got["variations"] == [v["id"]] and got["price"] == "29.90"
    # an update keeping its own SKU is fine
    assert (
        sb.put(f"/products/{parent['id']}/variations/{v['id']}", key, json={"sku": "PIPO-S"}).status_code
        == 200
    )


def test_batch_1000_products_in_10_requests(sb, key):
    ids = []
    for b in range(10):
        items = [_product(name=f"Tuote {b}-{i}", sku=f"B{b}-{i}") for i in range(100)]
        r = sb.post("/products/batch", key, json={"create": items})
        assert r.status_code == 200, r.text[:300]
        created = r.json()["create"]
        assert len(created) == 100 and all("error" not in c for c in created)
        ids += [c["id"] for c in created]
    assert len(set(ids)) == 1000
    r = sb.get("/products", key, params={"per_page": 100})
    assert r.headers["X-WP-Total"] == "1000" and r.headers["X-WP-TotalPages"] == "10"


def test_batch_item_error_and_rest_saved(sb, key):
    sb.post("/products", key, json=_product(sku="TAKEN"))
    existing = sb.post("/products", key, json=_product(sku="X1")).json()
    r = sb.post(
        "/products/batch",
        key,
        json={
            "create": [
                _product(name="A", sku="A1"),
                _product(name="Dup", sku="TAKEN"),
                _product(name="C", sku="C1"),
            ],
            "update": [{"id": existing["id"], "regular_price": "30.00"}, {"id": 999999, "name": "nope"}],
            "delete": [999998],
        },
    )
    assert r.status_code == 200
    out = r.json()
    assert [("error" in c) for c in out["create"]] == [False, True, False]
    err = out["create"][1]
    assert (
        err["id"] == 0
        and err["error"]["code"] == "product_invalid_sku"
        and err["error"]["data"]["status"] == 400
    )
    assert out["update"][0]["regular_price"] == "30.00"
    assert out["update"][1]["error"]["code"] == "woocommerce_rest_product_invalid_id"
    assert out["delete"][0]["error"]["data"]["status"] == 404
    skus = {p["sku"] for p in sb.get("/products", key, params={"per_page": 100}).json()}
    assert {"A1", "C1", "TAKEN", "X1"} == skus


def test_batch_over_limit_rejected(sb, key):
    r = sb.post(
        "/products/batch",
        key,
        json={"create": [_product(name=f"P{i}") for i in range(60)], "update": [{"id": 1}] * 41},
    )
    assert r.status_code == 413
    assert r.json()["code"] == "woocommerce_rest_request_entity_too_large"
    assert sb.get("/products", key).headers["X-WP-Total"] == "0"


def test_paging_headers_and_per_page_limit(sb, key):
    sb.control("POST", "/seed", {"products": 25, "orders": 0})
    r = sb.get("/products", key, params={"per_page": 10, "page": 3})
    assert r.headers["X-WP-Total"] == "25" and r.headers["X-WP-TotalPages"] == "3"
    assert len(r.json()) == 5
    assert 'rel="prev"' in r.headers["Link"]
    first = sb.get("/products", key).json()
    assert len(first) == 10  # default per_page
    r = sb.get("/products", key, params={"per_page": 101})
    assert r.status_code == 400 and r.json()["code"] == "rest_invalid_param"
    assert sb.get("/products", key, params={"page": 9}).json()["code"] == "rest_post_invalid_page_number"
    # pages are disjoint and ordered by date desc
    seen = []
    for page in (1, 2, 3):
        seen += [
            p["id"]
            for p in sb.get("/products", key, params={"page": page, "orderby": "id", "order": "asc"}).json()
        ]
    assert seen == sorted(seen) and len(set(seen)) == 25


def test_filters_sku_status_type_modified_after(sb, key):
    a = sb.post("/products", key, json=_product(name="A", sku="SKU-A")).json()
    b = sb.post("/products", key, json=_product(name="B", sku="SKU-B", status="draft")).json()
    assert [p["id"] for p in sb.get("/products", key, params={"sku": "SKU-A"}).json()] == [a["id"]]
    assert {p["id"] for p in sb.get("/products", key, params={"sku": "SKU-A,SKU-B"}).json()} == {
        a["id"],
        b["id"],
    }
    assert [p["id"] for p in sb.get("/products", key, params={"status": "draft"}).json()] == [b["id"]]
    assert sb.get("/products", key, params={"type": "variable"}).json() == []
    assert [p["id"] for p in sb.get("/products", key, params={"include": str(b["id"])}).json()] == [b["id"]]
    assert [p["id"] for p in sb.get("/products", key, params={"search": "sku-b"}).json()] == [b["id"]]

    clock = sb.control("POST", "/clock", {"advance": 60})
    sb.control("POST", "/clock", {"advance": 60})
    sb.put(f"/products/{a['id']}", key, json={"regular_price": "1.00"})
    r = sb.get("/products", key, params={"modified_after": clock["now"]})
    assert [p["id"] for p in r.json()] == [a["id"]]
    r = sb.get("/products", key, params={"modified_after": clock["now_gmt"], "dates_are_gmt": "true"})
    assert [p["id"] for p in r.json()] == [a["id"]]
    r = sb.get("/products", key, params={"modified_before": clock["now_gmt"] + "Z"})
    assert [p["id"] for p in r.json()] == [b["id"]]


def test_variations_batch_and_stock(sb, key):
    parent = sb.post("/products", key, json={"name": "Paita", "type": "variable"}).json()
    r = sb.post(
        f"/products/{parent['id']}/variations/batch",
        key,
        json={
            "create": [
                {
                    "regular_price": "30",
                    "sku": "P-S",
                    "manage_stock": True,
                    "stock_quantity": 2,
                    "attributes": [{"name": "Koko", "option": "S"}],
                },
                {"regular_price": "31", "sku": "P-M", "attributes": [{"name": "Koko", "option": "M"}]},
                {"regular_price": "32", "sku": "P-S"},
            ]
        },
    )
    created = r.json()["create"]
    assert created[0]["stock_status"] == "instock" and created[0]["stock_quantity"] == 2
    assert created[1]["manage_stock"] is False and created[1]["stock_quantity"] is None
    assert created[2]["error"]["code"] == "product_invalid_sku"
    listing = sb.get(f"/products/{parent['id']}/variations", key)
    assert listing.headers["X-WP-Total"] == "2"
    assert sb.get("/products", key, params={"sku": "P-M"}).json() == []  # variations are not products


def test_json_types_are_checked_like_wordpress(sb, key):
    r = sb.post("/products", key, json=_product(regular_price=24.9))
    assert r.status_code == 400 and r.json()["code"] == "rest_invalid_param"
    assert r.json()["data"]["params"] == {"regular_price": "regular_price is not of type string."}
    assert sb.post("/products", key, json=_product(sale_price=None)).status_code == 400
    p = sb.post(
        "/products", key, json=_product(regular_price="12,50", manage_stock="true", stock_quantity="7")
    ).json()
    assert (p["regular_price"], p["manage_stock"], p["stock_quantity"]) == ("12.50", True, 7)
    assert sb.post("/products", key, json=_product(stock_quantity=1.5)).status_code == 400


def test_invalid_input(sb, key):
    r = sb.post("/products", key, json={"name": "X", "type": "weird"})
    assert r.status_code == 400 and r.json()["code"] == "rest_invalid_param"
    r = sb.post("/products", key, data="{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["code"] == "rest_invalid_json"
    r = sb.get("/nonexistent", key)
    assert r.status_code == 404 and r.json()["code"] == "rest_no_route"


def test_seed_10000_products():
    s = Sandbox()
    try:
        from sandbox.woocommerce.seed import seed_shop

        out = seed_shop(
            s.state, products=10000, orders=0, seed=3
        )  # how fast: `make benchmark`, not a timed test
        assert out["products"] == 10000
        key = s.key("read")
        r = s.get("/products", key, params={"per_page": 100, "page": 100})
        assert r.status_code == 200 and len(r.json()) == 100 and r.headers["X-WP-TotalPages"] == "100"
        skus = [p["sku"] for p in s.state.products.values()]
        assert "" in skus and len(set(x for x in skus if x)) < len(
            [x for x in skus if x]
        )  # no-SKU + legacy dups
    finally:
        s.close()


def test_seed_is_deterministic():
    from sandbox.woocommerce.app import create_app

    a, b = (
        create_app({"seed": {"products": 50, "orders": 10, "seed": 5}}),
        create_app({"seed": {"products": 50, "orders": 10, "seed": 5}}),
    )
    names = lambda app: [(p["name"], p["sku"], p["regular_price"]) for p in app.state.products.values()]  # noqa: E731
    assert names(a) == names(b)
    totals = lambda app: [(o["status"], o["total"]) for o in app.state.orders.values()]  # noqa: E731
    assert totals(a) == totals(b)
