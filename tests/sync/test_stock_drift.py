"""Stock drift only when no order explains it (pure: stock_drift and the article plan that calls it)."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from integration.eaccounting.resources import Article
from integration.sync.article_plan import CatalogContext, LinkState, desired_values, plan_article
from integration.sync.stock_drift import NOTHING, Sold, sold_by_order, sold_since, unexplained_change
from integration.webshops.base import RefundRef, ShopProduct
from tests.fixtures.document_orders import line, order

WRITTEN_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CTX = CatalogContext(
    prices_include_tax=True,
    tax_class_by_rate={Decimal("25.5"): ""},
    vat_rate_by_coding={"c255": Decimal("25.50")},
    unit_code_by_id={"u-pcs": "kpl"},
)


def sale(quantity, status="processing", *, minutes_after_write=30, **kw):
    return order(
        [line(101, quantity, "10.00", "2.55")],
        status=status,
        date_created_gmt=WRITTEN_AT + timedelta(minutes=minutes_after_write),
        **kw,
    )


# ---------------------------------------------------------------------- the pure rule
def test_a_sale_of_two_is_not_drift():
    assert unexplained_change(10, 8, sold_since([sale(2)], "VS-1", WRITTEN_AT)) == 0


def test_a_manual_plus_five_is_drift():
    assert unexplained_change(10, 15, NOTHING) == 5


def test_a_sale_and_a_manual_plus_five_leave_five_unexplained():
    assert unexplained_change(10, 13, sold_since([sale(2)], "VS-1", WRITTEN_AT)) == 5


def test_a_decrease_without_a_sale_is_drift():
    assert unexplained_change(10, 7, NOTHING) == -3
    assert unexplained_change(10, 7, sold_since([sale(2)], "VS-1", WRITTEN_AT)) == -1


def test_orders_of_another_product_or_before_the_write_explain_nothing():
    other = order([line(102, 2, "10.00", "1.40")], date_created_gmt=WRITTEN_AT + timedelta(hours=1))
    old = sale(2, minutes_after_write=-60)
    assert sold_since([other, old], "VS-1", WRITTEN_AT) == NOTHING
    assert unexplained_change(10, 8, sold_since([other, old], "VS-1", WRITTEN_AT)) == -2


def test_an_order_just_before_the_write_may_or_may_not_be_in_the_written_figure():
    sold = sold_since([sale(2, minutes_after_write=-1)], "VS-1", WRITTEN_AT)
    assert sold == Sold(Decimal(0), Decimal(2))
    assert unexplained_change(10, 10, sold) == 0 and unexplained_change(10, 8, sold) == 0


def test_unpaid_orders_took_nothing_and_cancelled_or_refunded_ones_may_have_been_put_back():
    assert sold_by_order(sale(2, "pending"), "VS-1") == NOTHING
    assert sold_by_order(sale(2, "cancelled"), "VS-1") == Sold(Decimal(0), Decimal(2))
    assert sold_by_order(sale(2, "refunded"), "VS-1") == Sold(Decimal(0), Decimal(2))
    partly = sale(3, refunds=[RefundRef(9, Decimal("10.00"))])
    assert sold_by_order(partly, "VS-1") == Sold(Decimal(0), Decimal(3))
    assert sold_by_order(sale(3, "completed"), "VS-1") == Sold(Decimal(3), Decimal(3))


def test_several_sales_add_up():
    sold = sold_since([sale(2), sale(1, "completed", id=502)], "VS-1", WRITTEN_AT)
    assert sold == Sold(Decimal(3), Decimal(3))
    assert unexplained_change(10, 7, sold) == 0


# ---------------------------------------------------------------------- in the article plan
def _article(**kw) -> Article:
    values = dict(
        id="a1", number="VS-1", name="Villasukat", unit_id="u-pcs", coding_id="c255",
        net_price=Decimal("10.00"), gross_price=Decimal("12.55"), is_active=True, is_stock=True,
        stock_balance=Decimal("10"), stock_reserved=Decimal("0"), stock_available=Decimal("10"),
        send_to_webshop=True, changed_utc=None, raw={},
    )  # fmt: skip
    values.update(kw)
    return Article(**values)


def _product(stock: int) -> ShopProduct:
    return ShopProduct(
        id=101, parent_id=None, sku="VS-1", name="Villasukat", type="simple", status="publish",
        regular_price=Decimal("12.55"), tax_class="", tax_status="taxable", manage_stock=True,
        stock_quantity=stock, date_modified_gmt=None, meta={"_silta_unit": "kpl"},
    )  # fmt: skip


def _link() -> LinkState:
    return LinkState(101, None, last_written=desired_values(_article(), CTX, variation=False))  # stock 10


def test_the_plan_reports_no_drift_for_a_sale_the_shop_made():
    ctx = replace(CTX, sales_since_write={"VS-1": sold_since([sale(2)], "VS-1", WRITTEN_AT)})
    # eAccounting has not heard of the sale yet: the stock is written again, but that is not drift
    step = plan_article(_article(), _link(), _product(8), ctx)
    assert step.changes == {"stock_quantity": (8, 10)}
    assert step.drift == {}
    assert "put back" not in step.reason


def test_the_plan_reports_a_manual_change_in_the_shop_as_drift():
    step = plan_article(_article(), _link(), _product(15), CTX)
    assert step.drift == {"stock_quantity": (10, 15, 10)}
    assert "changed in the shop, put back: stock" in step.reason
