"""Availability rules against the eAccounting sandbox: the preview is what is applied; hand changes are
reported and left alone; the schedule keeps new articles in line."""

import pytest

from integration.models import AvailabilityMark, SyncEvent, SyncRun
from integration.visma_webshop import availability
from integration.visma_webshop.availability_plan import Rules

pytestmark = pytest.mark.django_db

RULES = Rules(only_active=True, exclude_services=True, excluded_numbers=())
IGNORED = {"SendToWebshop", "ChangedUtc"}


def _flags(shop):
    return {n: a["SendToWebshop"] for n, a in shop.articles().items()}


def _setup_mixed_catalogue(shop):
    """Two inactive articles still for sale, two active ones not for sale, one template article for sale."""
    numbers = sorted(n for n, a in shop.articles().items() if a["IsActive"] and not a["IsServiceArticle"])
    inactive, hidden, template = numbers[:2], numbers[2:4], numbers[4]
    for n in inactive:
        shop.edit(n, IsActive=False, SendToWebshop=True)
    for n in hidden:
        shop.edit(n, SendToWebshop=False)
    return inactive, hidden, template


def test_what_is_applied_is_exactly_what_the_preview_showed(shop):
    inactive, hidden, template = _setup_mixed_catalogue(shop)
    rules = Rules(only_active=True, exclude_services=True, excluded_numbers=(template,))
    shown = availability.preview(shop.tenant, rules)
    previewed = {(c["number"], c["available"]) for c in shown["changes"]}
    assert {(n, False) for n in inactive} | {(n, True) for n in hidden} | {(template, False)} <= previewed

    before = shop.articles()
    run = availability.apply_preview(shop.tenant, turn_off=True, preview_at=shown["at"])
    after = shop.articles()

    changed = {
        (n, after[n]["SendToWebshop"])
        for n in after
        if after[n]["SendToWebshop"] != before[n]["SendToWebshop"]
    }
    assert changed == previewed
    for n in after:  # the PUT was a full replace of the article as read: nothing else moved
        assert {k: v for k, v in after[n].items() if k not in IGNORED} == {
            k: v for k, v in before[n].items() if k not in IGNORED
        }
    assert run.counts == {"updated": len(previewed)}
    assert set(run.events.values_list("item", flat=True)) == {n for n, _ in previewed}
    # every article now carries a mark, so a later hand change is told apart
    assert AvailabilityMark.objects.filter(tenant=shop.tenant).count() == len(after)


def test_taking_articles_out_needs_its_own_confirmation(shop):
    inactive, hidden, _ = _setup_mixed_catalogue(shop)
    shown = availability.preview(shop.tenant, RULES)
    run = availability.apply_preview(shop.tenant, turn_off=False, preview_at=shown["at"])
    flags = _flags(shop)
    assert all(flags[n] for n in hidden)  # put in
    assert all(flags[n] for n in inactive)  # still in: not confirmed
    turn_offs = {c["number"] for c in shown["changes"] if not c["available"]}
    assert set(inactive) <= turn_offs
    skipped = run.events.filter(outcome=SyncEvent.Outcome.SKIPPED)
    assert set(skipped.values_list("item", flat=True)) == turn_offs
    assert "its own confirmation" in skipped.first().reason


def test_an_article_changed_since_the_preview_is_skipped_not_forced(shop):
    _inactive, hidden, _ = _setup_mixed_catalogue(shop)
    shown = availability.preview(shop.tenant, RULES)
    shop.edit(hidden[0], SendToWebshop=True)  # a person got there first
    run = availability.apply_preview(shop.tenant, turn_off=True, preview_at=shown["at"])
    event = run.events.get(item=hidden[0])
    assert event.outcome == SyncEvent.Outcome.SKIPPED and "since the preview" in event.reason


def test_a_replaced_preview_is_not_applied(shop):
    _setup_mixed_catalogue(shop)
    old = availability.preview(shop.tenant, RULES)
    availability.preview(shop.tenant, Rules(only_active=False))
    before = _flags(shop)
    assert availability.apply_preview(shop.tenant, turn_off=True, preview_at=old["at"]) is None
    assert _flags(shop) == before


def test_a_hand_change_is_reported_once_and_left_alone_until_released(shop):
    inactive, _hidden, _ = _setup_mixed_catalogue(shop)
    shown = availability.preview(shop.tenant, RULES)
    availability.apply_preview(shop.tenant, turn_off=True, preview_at=shown["at"])
    shop.edit(inactive[0], SendToWebshop=True)  # the owner wants this inactive article shown anyway

    first = availability.keep(shop.tenant)
    assert _flags(shop)[inactive[0]] is True  # not fought
    event = first.events.get(item=inactive[0])
    assert event.outcome == SyncEvent.Outcome.SKIPPED and "Changed by hand" in event.reason
    assert AvailabilityMark.objects.get(tenant=shop.tenant, number=inactive[0]).held_by_hand

    second = availability.keep(shop.tenant)
    assert not second.events.exists() and _flags(shop)[inactive[0]] is True  # reported once

    assert availability.let_rules_decide(shop.tenant) == 1
    availability.keep(shop.tenant)
    assert _flags(shop)[inactive[0]] is False  # the rules decide again


def test_the_schedule_keeps_new_and_changed_articles_in_line(shop):
    shown = availability.preview(shop.tenant, RULES)
    availability.apply_preview(shop.tenant, turn_off=True, preview_at=shown["at"])
    number = sorted(n for n, a in shop.articles().items() if a["IsActive"] and a["SendToWebshop"])[0]
    # deactivating an article in eAccounting is not a change of the flag: the rules take it out
    shop.edit(number, IsActive=False)
    run = availability.keep(shop.tenant)
    assert run.kind == SyncRun.Kind.AVAILABILITY
    assert _flags(shop)[number] is False
    assert run.events.get(item=number).fields == {"SendToWebshop": [True, False]}


def test_no_rules_applied_means_the_schedule_touches_nothing(shop):
    before = _flags(shop)
    assert availability.keep(shop.tenant) is None
    assert _flags(shop) == before
