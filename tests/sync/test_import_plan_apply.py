"""Applying the first-sync import: the re-check against live data, and undo (pure)."""

from dataclasses import replace
from decimal import Decimal

from integration.sync.import_plan import (
    Create,
    Link,
    Overwrite,
    PushCreate,
    deactivate_body,
    overwrite_body,
    plan_product,
    recheck,
    undo_body,
)
from tests.fixtures.import_products import CTX, article, plan, product

D = Decimal


def _overwrite() -> tuple[Overwrite, dict]:
    old = article("A-1", Name="Old mug", GrossPrice=11.0, NetPrice=8.76, IsActive=False)
    return plan([product(3, "A-1", "Mug")], [old]).overwrites[0], old.raw


def test_create_is_applied_when_nothing_changed():
    p = product()
    item = plan([p]).creates[0]
    assert recheck(item, None, p, CTX) is None


def test_create_is_skipped_when_an_article_with_its_number_appeared():
    p = product()
    skip = recheck(plan([p]).creates[0], article("A-1"), p, CTX)
    assert skip.reason == "An article with number A-1 was created in eAccounting after the preview."
    assert (skip.sku, skip.product_id) == ("A-1", 1)


def test_create_is_skipped_when_the_product_changed_or_went_away():
    p = product()
    item = plan([p]).creates[0]
    skip = recheck(item, None, replace(p, name="Big mug", regular_price=D("15.00")), CTX)
    assert skip.reason == "Changed after the preview (Name, NetPrice, GrossPrice)."
    assert recheck(item, None, None, CTX).reason == "The product is no longer in the shop."
    assert "SKU was changed" in recheck(item, None, replace(p, sku="A-2"), CTX).reason
    skip = recheck(item, None, replace(p, name="x" * 51), CTX)
    assert skip.reason == "It can no longer be imported: Name longer than 50 characters (51)"


def test_create_is_skipped_when_the_templates_changed_meanwhile():
    p = product()
    item = plan([p]).creates[0]
    ctx = replace(
        CTX,
        templates={
            **CTX.templates,
            ("goods", D("25.5")): replace(CTX.templates[("goods", D("25.5"))], unit_id="u-kg"),
        },
    )
    assert recheck(item, None, p, ctx).reason == "Changed after the preview (UnitId)."


def test_overwrite_is_applied_when_nothing_changed_but_stock():
    item, raw = _overwrite()
    live = article("A-1", **{**raw, "StockBalance": 3.0})
    assert recheck(item, live, product(3, "A-1", "Mug"), CTX) is None
    body = overwrite_body(live.raw, item)
    assert body["StockBalance"] == 3.0 and body["Name"] == "Mug" and body["GrossPrice"] == 12.55


def test_overwrite_is_skipped_when_the_article_changed():
    item, raw = _overwrite()
    live = article("A-1", **{**raw, "ChangedUtc": "2026-11-02T08:00:00Z"})
    skip = recheck(item, live, product(3, "A-1", "Mug"), CTX)
    assert skip.reason == "The article was changed in eAccounting after the preview."
    assert (
        recheck(item, None, product(3, "A-1", "Mug"), CTX).reason
        == "The article is no longer in eAccounting."
    )


def test_overwrite_is_skipped_when_the_product_changed():
    item, raw = _overwrite()
    skip = recheck(item, article("A-1", **raw), product(3, "A-1", "Mug", price="13.00"), CTX)
    assert skip.reason == "Changed after the preview (GrossPrice, NetPrice)."


def test_link_is_skipped_when_it_would_now_overwrite():
    p = product()
    item = plan([p], [article()]).links[0]
    assert isinstance(item, Link) and recheck(item, article(), p, CTX) is None
    assert recheck(item, article(Name="Renamed"), p, CTX).reason == "Changed after the preview (Name)."


def test_push_create_recheck():
    item = PushCreate("NEW-1", "id-NEW-1", "Kettle")
    assert recheck(item, article("NEW-1"), None, CTX) is None
    assert recheck(item, article("NEW-1", IsActive=False), None, CTX).reason == "It is now inactive."
    assert recheck(item, None, None, CTX).reason == "The article is no longer in eAccounting."
    skip = recheck(item, article("NEW-1"), product(9, "NEW-1"), CTX)
    assert skip.reason == "The shop now has a product with SKU NEW-1 (#9)." and skip.product_id is None


def test_undo_restores_exactly_the_overwritten_fields():
    item, raw = _overwrite()
    after = {**overwrite_body(raw, item), "StockBalance": 1.0, "Note": "edited later", "ChangedUtc": "x"}
    restored = undo_body(after, item)
    assert {f: restored[f] for f in item.undo} == {f: raw[f] for f in item.undo}
    assert set(item.undo) == {"Name", "GrossPrice", "NetPrice", "IsActive"}
    assert {k: v for k, v in restored.items() if k not in item.undo} == {
        k: v for k, v in after.items() if k not in item.undo
    }


def test_a_created_article_is_undone_by_deactivating_it():
    created = {"Id": "new", "Number": "A-1", "Name": "Mug", "IsActive": True, "CodingId": "c", "UnitId": "u"}
    assert deactivate_body(created) == {**created, "IsActive": False}
    assert created["IsActive"] is True


def test_plan_product_is_the_same_rule_as_the_preview():
    assert isinstance(plan_product(product(), None, CTX), Create)
    assert isinstance(plan_product(product(), article(Name="Other"), CTX), Overwrite)
