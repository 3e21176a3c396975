"""A plan applied is a plan done: planning again over the state it produced writes nothing.

The shop is simulated the way WooCommerce stores a write (prices to the cent, no stock
quantity without stock management, variations keep their own name).
"""

from dataclasses import replace
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from integration.eaccounting.resources import Article
from integration.sync.article_plan import CatalogContext, LinkState, plan_catalog
from integration.webshops.base import ProductWrite, ShopProduct
from tests.fixtures.examples import examples

CODINGS = {"c255": Decimal("25.5"), "c14": Decimal("14"), "c10": Decimal("10"), "c0": Decimal("0")}
TAX_CLASSES = {Decimal("25.5"): "", Decimal("14"): "reduced-14", Decimal("0"): "zero"}  # 10 %: unmapped
UNITS = {"u-pcs": "kpl", "u-kg": "kg"}

amounts = st.decimals(min_value=-50, max_value=1000, places=3, allow_nan=False, allow_infinity=False)
mostly = st.sampled_from([True, True, True, False])
names = st.text(alphabet=st.sampled_from("AaÄäÖö日本<>&;#b/ -"), min_size=1, max_size=12)


@st.composite
def articles(draw, number: int) -> Article:
    return Article(
        id=f"a{number}",
        number=f"N-{number}",
        name=draw(names),
        unit_id=draw(st.sampled_from([*UNITS, *UNITS, "u-x"])),
        coding_id=draw(st.sampled_from([*CODINGS, *CODINGS, "c-x"])),
        net_price=draw(amounts),
        gross_price=draw(amounts),
        is_active=draw(mostly),
        is_stock=draw(st.booleans()),
        stock_balance=Decimal(0),
        stock_reserved=Decimal(0),
        stock_available=draw(amounts),
        send_to_webshop=draw(mostly),
        changed_utc=None,
        raw={},
    )


@st.composite
def shop_products(draw, pid: int, sku: str) -> ShopProduct:
    kind = draw(st.sampled_from(["simple", "simple", "variation", "variable"]))
    manage = draw(st.booleans())
    price = draw(st.none() | amounts)
    return ShopProduct(
        id=pid,
        parent_id=9000 + pid if kind == "variation" else None,
        sku=sku,
        name=draw(names),
        type=kind,
        status=draw(st.sampled_from(["publish", "draft", "private", "pending"])),
        regular_price=None if price is None else price.quantize(Decimal("0.01")),
        tax_class=draw(st.sampled_from(["", "reduced-14", "zero", "other"])),
        tax_status=draw(st.sampled_from(["taxable", "none"])),
        manage_stock=manage,
        stock_quantity=draw(st.integers(-5, 50)) if manage else None,
        date_modified_gmt=None,
        meta=draw(st.sampled_from([{}, {"_silta_unit": "kpl"}, {"_silta_unit": "kg", "x": "y"}])),
    )


@st.composite
def catalogs(draw):
    """Articles and a shop in any state: nothing, an unlinked product with the SKU, a linked
    product (in step or drifted, hidden or not), a linked product deleted in the shop."""
    count = draw(st.integers(1, 8))
    arts = [draw(articles(n)) for n in range(count)]
    links, products = {}, {}
    for n, a in enumerate(arts):
        state = draw(st.sampled_from(["none", "unlinked", "linked", "linked", "gone"]))
        if state in ("unlinked", "linked"):
            products[n + 1] = draw(shop_products(n + 1, a.number))
        if state in ("linked", "gone"):
            written = draw(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "regular_price": st.sampled_from(["1.00", "2.5"]),
                        "name": names,
                        "unit": st.just("kpl"),
                    },
                )
            )
            hidden = draw(st.booleans())
            before = draw(st.sampled_from(["", "publish", "private"])) if hidden else ""
            parent = products[n + 1].parent_id if state == "linked" else None
            links[a.id] = LinkState(n + 1, parent, hidden, before, written)
    excluded = frozenset(a.id for a in arts if draw(st.booleans()) and draw(st.booleans()))
    ctx = CatalogContext(
        prices_include_tax=draw(st.booleans()),
        tax_class_by_rate=TAX_CLASSES,
        vat_rate_by_coding=CODINGS,
        unit_code_by_id=UNITS,
        pending_by_sku={a.number: draw(amounts) for a in arts if draw(st.booleans())},
        excluded_article_ids=excluded,
    )
    return arts, links, products, ctx


def apply_write(w: ProductWrite, current: ShopProduct | None, new_id: int) -> ShopProduct:
    """What the shop holds after a write: the fields sent, nothing else."""
    p = current or ShopProduct(new_id, None, w.sku, "", "simple", "", None, "", "taxable", False, None, None)
    manage = p.manage_stock if w.manage_stock is None else w.manage_stock
    stock = p.stock_quantity if w.stock_quantity is None else w.stock_quantity
    return replace(
        p,
        sku=w.sku,
        name=p.name if w.name is None or p.parent_id else w.name,
        regular_price=p.regular_price
        if w.regular_price is None
        else w.regular_price.quantize(Decimal("0.01")),
        tax_class=p.tax_class if w.tax_class is None else w.tax_class,
        tax_status=w.tax_status or p.tax_status,
        manage_stock=manage,
        stock_quantity=stock if manage else None,
        status=w.status or p.status,
        meta={**p.meta, **w.meta},
    )


def unlinked_by_sku(products: dict, links: dict) -> dict:
    linked_ids = {link.shop_product_id for link in links.values()}
    return {p.sku: p for pid, p in products.items() if pid not in linked_ids}


@settings(derandomize=True, max_examples=examples(300), deadline=None)
@given(catalogs())
def test_planning_again_after_applying_the_plan_writes_nothing(catalog):
    arts, links, products, ctx = catalog
    first = list(plan_catalog(arts, links, products, unlinked_by_sku(products, links), ctx))
    for step in first:
        if step.write is not None:
            new_id = 1000 + len(products)
            current = products.get(step.write.id) if step.write.id is not None else None
            assert step.write.id is None or current is not None, "writes go to products that exist"
            p = apply_write(step.write, current, new_id)
            products[p.id] = p
        if step.new_link is not None:
            link = step.new_link
            links[step.article.id] = link if link.shop_product_id else replace(link, shop_product_id=p.id)
        assert step.action in ("keep", "skip") or step.write is not None or step.new_link is not None

    second = list(plan_catalog(arts, links, products, unlinked_by_sku(products, links), ctx))
    assert [(s.article.id, s.write) for s in second if s.write is not None] == []
    assert [(s.article.id, s.new_link) for s in second if s.new_link is not None] == []
    assert {s.action for s in second} <= {"keep", "skip"}
    assert all(not s.drift for s in second)


@settings(derandomize=True, max_examples=examples(100), deadline=None)
@given(catalogs())
def test_a_write_never_creates_variations_nor_names_them_nor_sets_status_in_an_update(catalog):
    arts, links, products, ctx = catalog
    for step in plan_catalog(arts, links, products, unlinked_by_sku(products, links), ctx):
        w = step.write
        if w is None:
            continue
        if w.id is None:
            assert w.parent_id is None and w.status == "draft"
        if w.parent_id is not None:
            assert w.name is None
        if step.action in ("update", "link"):
            assert w.status is None
