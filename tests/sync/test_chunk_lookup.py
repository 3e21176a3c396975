"""The per-chunk lookups of the article sync: each is a lookup by the chunk's own keys, so both
databases use an index (on SQLite, an ORDER BY from the model's ordering led the planner to walk
(tenant, article_number) through every link: 10× the articles took 25× the time)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from integration.eaccounting.resources import Article
from integration.models import ArticleLink, ShopProductSnapshot
from integration.sync.article_sync import _plan_chunk
from integration.sync.article_values import CatalogContext

pytestmark = pytest.mark.django_db
P = 10_000  # shop product ids, clear of the fixture tenant's own


def article(n: int) -> Article:
    return Article.from_api(
        {
            "Id": f"x{n}",
            "Number": f"N{n}",
            "Name": f"Tuote {n}",
            "IsActive": True,
            "SendToWebshop": True,
            "NetPrice": 10,
            "GrossPrice": Decimal("12.55"),
            "CodingId": "c",
            "UnitId": "u",
        }
    )


def test_a_chunk_is_planned_with_lookups_by_its_own_keys_and_never_adopts_a_linked_product(tenant_a):
    ArticleLink.objects.bulk_create(
        [
            ArticleLink(tenant=tenant_a, article_id=f"x{n}", article_number=f"N{n}", shop_product_id=P + n)
            for n in range(0, 200)
        ]
    )
    ShopProductSnapshot.objects.bulk_create(
        [ShopProductSnapshot(tenant=tenant_a, product_id=P + n, sku=f"N{n}") for n in range(0, 300)]
    )
    # product 150 carries SKU N250 too but is linked to a150: N250 may adopt only a free product
    ShopProductSnapshot.objects.filter(tenant=tenant_a, product_id=P + 150).update(sku="N250")
    ShopProductSnapshot.objects.filter(tenant=tenant_a, product_id=P + 250).delete()
    ctx = CatalogContext(
        prices_include_tax=True,
        vat_rate_by_coding={"c": Decimal("25.5")},
        unit_code_by_id={"u": "kpl"},
        tax_class_by_rate={Decimal("25.5"): ""},
    )
    chunk = [article(n) for n in (10, 20, 250, 260)]
    with CaptureQueriesContext(connection) as queries:
        steps = {s.article.number: s for s in _plan_chunk(tenant_a, chunk, ctx)}
    assert (
        steps["N260"].new_link is not None and steps["N260"].new_link.shop_product_id == P + 260
    )  # adopted by SKU
    assert steps["N250"].action == "create"  # the only product with its SKU is linked elsewhere
    sql = [q["sql"] for q in queries.captured_queries]
    assert len(sql) == 4  # links, their snapshots, snapshots by SKU, which of those are linked
    assert not [q for q in sql if "ORDER BY" in q or q.count("SELECT") > 1], sql
