"""The article plan, rule by rule (pure: no database, no network)."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from integration.eaccounting.resources import Article
from integration.sync.article_plan import (
    CatalogContext,
    LinkState,
    PlanError,
    count_actions,
    desired_values,
    plan_article,
    plan_catalog,
    price_change_share,
)
from integration.sync.article_values import format_price, shop_stock, stock_entered
from integration.webshops.base import ShopProduct
from integration.webshops.woocommerce import parse

CTX = CatalogContext(
    prices_include_tax=True,
    tax_class_by_rate={Decimal("25.5"): "", Decimal("14"): "reduced-14", Decimal("0"): "zero"},
    vat_rate_by_coding={"c255": Decimal("25.50"), "c14": Decimal("14"), "c0": Decimal("0"), "c-none": None},
    unit_code_by_id={"u-pcs": "kpl", "u-kg": "kg"},
)


def article(**kw) -> Article:
    values = dict(
        id="a1",
        number="A-1",
        name="Kahvikuppi",
        unit_id="u-pcs",
        coding_id="c255",
        net_price=Decimal("10.00"),
        gross_price=Decimal("12.55"),
        is_active=True,
        is_stock=True,
        stock_balance=Decimal("12"),
        stock_reserved=Decimal("2"),
        stock_available=Decimal("10"),
        send_to_webshop=True,
        changed_utc=None,
        raw={},
    )
    values.update(kw)
    return Article(**values)


def product(**kw) -> ShopProduct:
    values = dict(
        id=101,
        parent_id=None,
        sku="A-1",
        name="Kahvikuppi",
        type="simple",
        status="publish",
        regular_price=Decimal("12.55"),
        tax_class="",
        tax_status="taxable",
        manage_stock=True,
        stock_quantity=10,
        date_modified_gmt=None,
        meta={"_silta_unit": "kpl"},
    )
    values.update(kw)
    return ShopProduct(**values)


def variation(**kw) -> ShopProduct:
    return product(**{"id": 202, "parent_id": 200, "type": "variation", "name": "Huppari - Sininen", **kw})


def linked(p: ShopProduct, a: Article | None = None, ctx: CatalogContext = CTX, **kw) -> LinkState:
    """A link whose last write is what the article wants now (an in-step pair)."""
    written = desired_values(a or article(), ctx, variation=p.parent_id is not None)
    return LinkState(p.id, p.parent_id, **{"last_written": written, **kw})


# ---------------------------------------------------------------------- create and skip
def test_new_article_is_created_as_a_hidden_draft_with_all_owned_values():
    step = plan_article(article(), None, None, CTX)
    assert step.action == "create"
    w = step.write
    assert (w.id, w.parent_id, w.status) == (None, None, "draft")
    assert (w.sku, w.name, w.regular_price, w.tax_class, w.tax_status) == (
        "A-1",
        "Kahvikuppi",
        Decimal("12.55"),
        "",
        "taxable",
    )
    assert (w.manage_stock, w.stock_quantity) == (True, 10)
    assert w.meta == {"_silta_unit": "kpl"}
    assert step.new_link == LinkState(None, None, False, "", desired_values(article(), CTX, variation=False))
    assert step.changes["status"] == (None, "draft")


def test_created_write_body_carries_an_echo_hash_of_exactly_what_is_written():
    step = plan_article(article(), None, None, CTX)
    body = parse.write_body(step.write, is_variation=False)
    assert parse.matches_sync_hash({**body, "id": 1})
    assert {m["key"] for m in body["meta_data"]} == {"_silta_unit", "_silta_sync_hash"}


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"is_active": False}, "inactive in eAccounting"),
        ({"send_to_webshop": False}, "not available in webshop"),
        ({"id": "tmpl-1"}, "used as a template article"),
    ],
)
def test_article_that_does_not_belong_in_the_shop_is_skipped_with_the_reason(changes, reason):
    ctx = replace(CTX, excluded_article_ids=frozenset({"tmpl-1"}))
    step = plan_article(article(**changes), None, None, ctx)
    assert (step.action, step.reason, step.write, step.error) == ("skip", reason, None, False)


def test_linked_product_deleted_in_the_shop_is_not_created_again():
    step = plan_article(article(), linked(product()), None, CTX)
    assert (step.action, step.write, step.new_link) == ("skip", None, None)
    assert step.reason.startswith("deleted in the shop")


# ---------------------------------------------------------------------- keep and update
def test_product_in_step_is_kept_without_a_write():
    p = product()
    step = plan_article(article(), linked(p), p, CTX)
    assert (step.action, step.write, step.new_link, step.changes) == ("keep", None, None, {})


def test_a_shop_that_keeps_no_unit_is_kept_without_a_write_and_no_drift():
    """Shopify reads back no unit (Webshop.keeps_unit): a link written with one is still in step."""
    ctx = replace(CTX, keeps_unit=False)
    p = product(meta={})
    assert "unit" not in desired_values(article(), ctx, variation=False)
    step = plan_article(article(), linked(p), p, ctx)  # last written with the unit, as before the change
    assert (step.action, step.write, step.changes, step.drift) == ("keep", None, {}, {})
    assert plan_article(article(), linked(p), p, CTX).drift == {"unit": ("kpl", None, "kpl")}


def test_prices_compare_as_amounts_not_as_text():
    p = product(regular_price=Decimal("12.5"))
    step = plan_article(article(gross_price=Decimal("12.50")), linked(p), p, CTX)
    assert step.action == "keep"


@pytest.mark.parametrize(
    ("article_changes", "field", "shop_value", "new_value"),
    [
        ({"number": "A-1-NEW"}, "sku", "A-1", "A-1-NEW"),
        ({"name": "Teekuppi"}, "name", "Kahvikuppi", "Teekuppi"),
        ({"gross_price": Decimal("13.90")}, "regular_price", "12.55", "13.90"),
        ({"coding_id": "c14"}, "tax_class", "", "reduced-14"),
        ({"stock_available": Decimal("4")}, "stock_quantity", 10, 4),
        ({"unit_id": "u-kg"}, "unit", "kpl", "kg"),
    ],
)
def test_a_change_in_eaccounting_updates_the_product_with_all_owned_values(
    article_changes, field, shop_value, new_value
):
    p = product()
    a = article(**article_changes)
    step = plan_article(a, linked(p), p, CTX)
    assert step.action == "update"
    assert step.changes == {field: (shop_value, new_value)}
    assert step.drift == {}
    w = step.write
    assert (w.id, w.sku, w.name, w.tax_status, w.manage_stock) == (101, a.number, a.name, "taxable", True)
    assert w.regular_price is not None and w.tax_class is not None and w.meta
    assert step.new_link.last_written == desired_values(a, CTX, variation=False)


def test_stock_item_flag_turned_off_stops_stock_management_and_sends_no_quantity():
    p = product()
    step = plan_article(article(is_stock=False), linked(p), p, CTX)
    assert step.changes == {"manage_stock": (True, False)}
    assert (step.write.manage_stock, step.write.stock_quantity) == (False, None)


def test_stock_item_flag_turned_on_starts_stock_management():
    p = product(manage_stock=False, stock_quantity=None)
    step = plan_article(article(), linked(p, article(is_stock=False)), p, CTX)
    assert step.changes == {"manage_stock": (False, True), "stock_quantity": (None, 10)}
    assert (step.write.manage_stock, step.write.stock_quantity) == (True, 10)


@pytest.mark.parametrize(("include_tax", "price"), [(True, "12.55"), (False, "10.00")])
def test_price_is_gross_or_net_as_the_shop_sets_prices(include_tax, price):
    ctx = replace(CTX, prices_include_tax=include_tax)
    values = desired_values(
        article(net_price=Decimal("10"), gross_price=Decimal("12.55")), ctx, variation=False
    )
    assert values["regular_price"] == price


def test_a_vat_change_moves_the_product_to_the_mapped_tax_class():
    p = product(tax_class="reduced-14")
    step = plan_article(article(coding_id="c255"), linked(p, article(coding_id="c14")), p, CTX)
    assert step.changes == {"tax_class": ("reduced-14", "")}
    assert step.write.tax_class == ""


def test_update_never_touches_the_status_of_a_published_product():
    p = product(status="publish", name="Old name")
    step = plan_article(article(), linked(p, article(name="Old name")), p, CTX)
    assert step.action == "update"
    assert step.write.status is None
    assert "status" not in step.changes
    assert parse.write_body(step.write, is_variation=False).get("status") is None


def test_sale_price_is_the_shops_campaign_and_is_never_compared_or_written():
    p = product(raw={"sale_price": "5.00"})
    step = plan_article(article(), linked(p), p, CTX)
    assert step.action == "keep"
    p2 = product(name="Changed", raw={"sale_price": "5.00"})
    body = parse.write_body(plan_article(article(), linked(p2), p2, CTX).write, is_variation=False)
    assert "sale_price" not in body and "description" not in body and "images" not in body


# ---------------------------------------------------------------------- drift
def test_a_locked_field_edited_in_the_shop_is_put_back_and_recorded_as_drift():
    p = product(name="Kahvikuppi ALE!", regular_price=Decimal("9.99"))
    step = plan_article(article(), linked(p), p, CTX)
    assert step.action == "update"
    assert step.drift == {
        "name": ("Kahvikuppi", "Kahvikuppi ALE!", "Kahvikuppi"),
        "regular_price": ("12.55", "9.99", "12.55"),
    }
    assert (step.write.name, step.write.regular_price) == ("Kahvikuppi", Decimal("12.55"))
    assert "put back" in step.reason


def test_a_change_from_eaccounting_is_not_drift():
    p = product(regular_price=Decimal("12.55"))
    step = plan_article(article(gross_price=Decimal("14.00")), linked(p), p, CTX)
    assert step.changes == {"regular_price": ("12.55", "14.00")}
    assert step.drift == {}
    assert step.reason == "changed in eAccounting: price"


def test_drift_and_an_eaccounting_change_of_the_same_field_report_all_three_values():
    p = product(regular_price=Decimal("1.00"))
    step = plan_article(article(gross_price=Decimal("14")), linked(p), p, CTX)
    assert step.drift == {"regular_price": ("12.55", "1.00", "14.00")}


def test_shop_edit_that_matches_the_new_value_needs_no_write_and_refreshes_the_link():
    p = product(regular_price=Decimal("14.00"))
    link = linked(p)
    step = plan_article(article(gross_price=Decimal("14")), link, p, CTX)
    assert (step.action, step.write) == ("keep", None)
    assert step.new_link.last_written["regular_price"] == "14.00"


# ---------------------------------------------------------------------- stock kept by the shop after the first sync
AT_IMPORT = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def shop_led(p: ShopProduct, **kw) -> LinkState:
    """A link the first sync made for an article it created at 0: the shop keeps its stock (nothing written)."""
    written = {k: v for k, v in desired_values(article(), CTX, variation=False).items() if "stock" not in k}
    return LinkState(p.id, None, last_written=written, stock_led_by_shop=True, **kw)


ZERO_STOCK = dict(stock_balance=Decimal(0), stock_reserved=Decimal(0), stock_available=Decimal(0))


def test_while_the_shop_leads_its_stock_is_neither_written_nor_drift():
    p = product(stock_quantity=3, manage_stock=True)  # the shop sold 7 of its 10 meanwhile
    step = plan_article(article(**ZERO_STOCK), shop_led(p), p, CTX)
    assert (step.action, step.write, step.drift) == ("keep", None, {})
    a_price_change = plan_article(article(gross_price=Decimal("14"), **ZERO_STOCK), shop_led(p), p, CTX)
    assert a_price_change.write.manage_stock is None and a_price_change.write.stock_quantity is None
    assert "stock_quantity" not in a_price_change.changes
    assert a_price_change.new_link.stock_led_by_shop  # still the shop's
    assert "stock_quantity" not in a_price_change.new_link.last_written


def test_a_product_the_shop_does_not_count_is_not_made_to_count_zero():
    p = product(stock_quantity=None, manage_stock=False)
    step = plan_article(article(**ZERO_STOCK), shop_led(p), p, CTX)
    assert (step.action, step.write) == ("keep", None)


@pytest.mark.parametrize(
    "balance, by_hand, entered",
    [
        (Decimal(0), None, False),  # as created
        (Decimal(-2), None, False),  # the shop's sales reached eAccounting: no stock was entered
        (Decimal(0), AT_IMPORT, False),  # the create's own stamp (if eAccounting sets one) is no entry
        (Decimal(5), None, True),  # goods received
        (Decimal(0), AT_IMPORT + timedelta(hours=1), True),  # set by hand, even to 0
        (Decimal(-2), AT_IMPORT + timedelta(hours=1), True),
    ],
)
def test_stock_is_entered_by_a_hand_change_after_the_create_or_a_positive_balance(balance, by_hand, entered):
    a = article(stock_balance=balance, stock_available=balance, stock_changed_by_hand_utc=by_hand)
    assert stock_entered(a, AT_IMPORT) is entered
    assert stock_entered(article(is_stock=False, **ZERO_STOCK), AT_IMPORT)  # nothing to enter


def test_once_stock_is_entered_eaccounting_leads_and_the_link_says_so():
    p = product(stock_quantity=3)
    a = article(stock_balance=Decimal(8), stock_available=Decimal(8), stock_reserved=Decimal(0))
    step = plan_article(a, shop_led(p, stock_hand_changed_at_import=AT_IMPORT), p, CTX)
    assert step.action == "update"
    assert (step.write.manage_stock, step.write.stock_quantity) == (True, 8)
    assert step.drift == {}  # the shop's own count was never Silta's: no drift
    assert step.reason.startswith("stock entered in eAccounting, which leads it from now on")
    assert step.new_link.stock_led_by_shop is False
    assert step.new_link.last_written["stock_quantity"] == 8


def test_handing_over_with_nothing_to_write_still_stores_the_link():
    p = product(stock_quantity=8)
    a = article(stock_balance=Decimal(8), stock_available=Decimal(8), stock_reserved=Decimal(0))
    step = plan_article(a, shop_led(p), p, CTX)
    assert (step.action, step.write) == ("keep", None)
    assert step.new_link is not None and step.new_link.stock_led_by_shop is False


# ---------------------------------------------------------------------- hide and restore
def test_deactivated_article_is_hidden_remembering_the_owners_status():
    p = product(status="publish")
    step = plan_article(article(is_active=False), linked(p), p, CTX)
    assert step.action == "hide"
    assert step.write.status == "draft"
    assert step.write.sku == "A-1" and step.write.regular_price == Decimal("12.55")  # owned values ride along
    assert step.changes == {"status": ("publish", "draft")}
    assert (step.new_link.hidden, step.new_link.status_before_hiding) == (True, "publish")
    assert step.reason == "inactive in eAccounting: hidden in the shop (was publish)"


@pytest.mark.parametrize("status", ["draft", "private"])
def test_hiding_a_product_the_owner_already_kept_unpublished_still_records_its_status(status):
    p = product(status=status)
    step = plan_article(article(send_to_webshop=False), linked(p), p, CTX)
    assert step.action == "hide"
    assert step.new_link.status_before_hiding == status
    assert step.new_link.hidden


def test_hidden_product_of_a_still_inactive_article_is_left_alone():
    p = product(status="draft")
    step = plan_article(
        article(is_active=False), linked(p, hidden=True, status_before_hiding="publish"), p, CTX
    )
    assert (step.action, step.write, step.new_link) == ("keep", None, None)


def test_hiding_works_even_when_the_inactive_article_lost_its_mappings():
    p = product(status="publish")
    step = plan_article(article(is_active=False, coding_id="gone"), linked(p), p, CTX)
    assert step.action == "hide" and not step.error
    assert step.write.status == "draft" and step.write.tax_class == ""  # as last written


def test_reactivated_article_is_brought_back_with_its_previous_status():
    p = product(status="draft")
    link = linked(p, hidden=True, status_before_hiding="publish")
    step = plan_article(article(), link, p, CTX)
    assert step.action == "restore"
    assert step.write.status == "publish"
    assert step.changes == {"status": ("draft", "publish")}
    assert (step.new_link.hidden, step.new_link.status_before_hiding) == (False, "")


def test_restore_also_writes_value_changes_and_falls_back_to_draft():
    p = product(status="draft")
    link = linked(p, hidden=True, status_before_hiding="")
    step = plan_article(article(gross_price=Decimal("20")), link, p, CTX)
    assert step.action == "restore"
    assert step.write.status == "draft"
    assert step.changes == {"regular_price": ("12.55", "20.00")}


# ---------------------------------------------------------------------- link by SKU, variations
def test_unlinked_product_with_the_same_sku_is_linked_not_created():
    p = product(name="Shop's own name")
    step = plan_article(article(), None, p, CTX)
    assert step.action == "link"
    assert step.changes == {"name": ("Shop's own name", "Kahvikuppi")}
    assert step.drift == {}  # never written by Silta: nothing to call drift
    assert step.write.id == 101 and step.write.status is None
    assert step.new_link == LinkState(101, None, False, "", desired_values(article(), CTX, variation=False))


def test_unlinked_product_of_an_unavailable_article_is_linked_and_hidden():
    p = product(status="publish")
    step = plan_article(article(send_to_webshop=False), None, p, CTX)
    assert (step.action, step.write.id, step.write.status) == ("hide", 101, "draft")
    assert step.new_link == LinkState(
        101, None, True, "publish", desired_values(article(), CTX, variation=False)
    )


def test_linking_a_product_that_is_already_in_step_writes_nothing():
    step = plan_article(article(), None, product(), CTX)
    assert (step.action, step.write) == ("link", None)
    assert step.new_link.shop_product_id == 101


def test_article_whose_number_is_a_variations_sku_updates_that_variation_without_a_name():
    v = variation(regular_price=Decimal("1.00"), stock_quantity=2)
    step = plan_article(article(), None, v, CTX)
    assert step.action == "link"
    assert "name" not in step.changes
    w = step.write
    assert (w.id, w.parent_id, w.name) == (202, 200, None)
    assert (w.regular_price, w.stock_quantity, w.tax_class) == (Decimal("12.55"), 10, "")
    assert "name" not in parse.write_body(w, is_variation=True)
    assert step.new_link.shop_parent_id == 200


def test_linked_variation_keeps_its_own_name_and_is_never_created():
    v = variation()
    step = plan_article(article(name="Something else"), linked(v), v, CTX)
    assert step.action == "keep"
    gone = plan_article(article(), linked(v), None, CTX)
    assert gone.action == "skip" and gone.write is None


def test_sku_of_a_variable_parent_product_needs_a_person():
    step = plan_article(article(), None, product(type="variable"), CTX)
    assert (step.action, step.error, step.write) == ("skip", True, None)
    assert "variable product" in step.reason


# ---------------------------------------------------------------------- values
def test_non_stock_article_does_not_manage_stock_and_sends_no_quantity():
    values = desired_values(article(is_stock=False), CTX, variation=False)
    assert values["manage_stock"] is False and "stock_quantity" not in values
    step = plan_article(article(is_stock=False), None, None, CTX)
    assert (step.write.manage_stock, step.write.stock_quantity) == (False, None)


@pytest.mark.parametrize(
    ("available", "pending", "stock"),
    [("3.7", "0", 3), ("-2", "0", 0), ("10", "3", 7), ("10", "12", 0), ("0.4", "0", 0), ("5", "1.5", 3)],
)
def test_shop_stock_is_available_minus_pending_rounded_down_never_negative(available, pending, stock):
    assert shop_stock(Decimal(available), Decimal(pending)) == stock
    ctx = replace(CTX, pending_by_sku={"A-1": Decimal(pending)})
    values = desired_values(article(stock_available=Decimal(available)), ctx, variation=False)
    assert values["stock_quantity"] == stock


def test_name_with_non_latin_characters_and_html_specials_is_written_untouched():
    name = "Äänilevy <b>&amp;</b> 日本"
    step = plan_article(article(name=name), None, None, CTX)
    assert step.write.name == name
    assert parse.write_body(step.write, is_variation=False)["name"] == name


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        ("12.5", "12.50"),
        ("10", "10.00"),
        ("12.345", "12.35"),
        ("0.005", "0.01"),
        ("-0.001", "0.00"),
        ("7.994", "7.99"),
    ],
)
def test_prices_are_written_with_exactly_two_decimals(amount, text):
    assert format_price(Decimal(amount)) == text


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"coding_id": "c-unknown"}, "has no VAT rate"),
        ({"coding_id": "c-none"}, "has no VAT rate"),
        ({"unit_id": "u-unknown"}, "is not among eAccounting's units"),
    ],
)
def test_what_a_person_must_fix_raises_a_plain_words_plan_error(changes, words):
    with pytest.raises(PlanError, match=words):
        desired_values(article(**changes), CTX, variation=False)
    step = plan_article(article(**changes), None, None, CTX)
    assert (step.action, step.error, step.write) == ("skip", True, None)
    assert words in step.reason


def test_vat_rate_without_a_tax_class_mapping_is_a_plan_error():
    ctx = replace(CTX, vat_rate_by_coding={**CTX.vat_rate_by_coding, "c10": Decimal("10")})
    with pytest.raises(PlanError, match=r"no shop tax class is mapped to VAT 10 %"):
        desired_values(article(coding_id="c10"), ctx, variation=False)


def test_values_are_json_able_and_have_no_name_for_variations():
    values = desired_values(article(), CTX, variation=True)
    assert values == {
        "sku": "A-1",
        "regular_price": "12.55",
        "tax_class": "",
        "tax_status": "taxable",
        "manage_stock": True,
        "stock_quantity": 10,
        "unit": "kpl",
    }


# ---------------------------------------------------------------------- catalog, counts, guard
def test_plan_catalog_streams_one_step_per_article():
    def articles():
        yield article(id="a1", number="A-1")
        raise AssertionError("read past the first article")

    steps = plan_catalog(articles(), {}, {}, {}, CTX)
    assert next(steps).action == "create"


def test_plan_catalog_finds_linked_products_by_id_and_others_by_sku():
    p1, p2 = product(id=1, sku="A-1"), product(id=2, sku="B-2", name="B")
    arts = [
        article(id="a1", number="A-1"),
        article(id="b2", number="B-2", name="B"),
        article(id="c3", number="C-3"),
    ]
    links = {"a1": linked(p1)}
    steps = list(plan_catalog(arts, links, {1: p1}, {"B-2": p2}, CTX))
    assert [s.action for s in steps] == ["keep", "link", "create"]
    assert count_actions(steps) == {
        "create": 1,
        "update": 0,
        "hide": 0,
        "restore": 0,
        "keep": 1,
        "skip": 0,
        "link": 1,
        "error": 0,
    }


def test_plan_catalog_accepts_stored_link_rows():
    class Row:  # the attributes of an ArticleLink
        shop_product_id, shop_parent_id, hidden, status_before_hiding = 1, None, False, ""
        last_written = desired_values(article(), CTX, variation=False)

    steps = list(plan_catalog([article()], {"a1": Row()}, {1: product(id=1)}, {}, CTX))
    assert steps[0].action == "keep"


def test_price_change_share_counts_linked_articles_whose_price_changes():
    p = product()
    steps = [
        plan_article(article(gross_price=Decimal("99")), linked(p), p, CTX),  # price change
        plan_article(article(name="New"), linked(p), p, CTX),  # no price change
        plan_article(article(id="n", number="N"), None, None, CTX),  # create: not linked yet
    ]
    assert price_change_share(steps, 4) == Decimal("0.25")
    assert price_change_share([], 0) == Decimal("0")
