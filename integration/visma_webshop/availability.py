"""Availability rules against eAccounting: preview, apply what was previewed, keep applied on schedule.

The flag is written with `PUT /articles/{id}`, a full replace: the body is the article as just
read with only `SendToWebshop` changed. Turning it off takes the article out of Visma's webshop,
and Visma removes its texts and images there, so turning off needs its own confirmation.
"""

from dataclasses import asdict
from typing import Any

from django.db import transaction
from django.utils import timezone

from integration.work.record import RunRecorder

from ..eaccounting.client import EAccountingClient
from ..eaccounting.errors import NotFound
from ..models import AvailabilityMark, SyncEvent, SyncRun, Tenant, VismaWebshopSettings
from ..sync.import_values import with_values
from .availability_plan import ArticleFacts, AvailabilityPlan, Mark, Rules, plan, split_list, why_not

Outcome = SyncEvent.Outcome


def rules_of(settings: VismaWebshopSettings) -> Rules:
    return Rules(
        only_active=settings.only_active,
        only_stock_items=settings.only_stock_items,
        exclude_services=settings.exclude_services,
        labels=split_list(settings.labels),
        excluded_numbers=split_list(settings.excluded_numbers),
    )


def facts(raw: dict) -> ArticleFacts:
    labels = tuple(
        (label.get("Name") or "") for label in raw.get("ArticleLabels") or [] if isinstance(label, dict)
    )
    return ArticleFacts(
        id=raw["Id"],
        number=raw.get("Number") or "",
        name=raw.get("Name") or "",
        is_active=bool(raw.get("IsActive")),
        is_stock=bool(raw.get("IsStock")),
        is_service=bool(raw.get("IsServiceArticle")),
        labels=labels,
        available=bool(raw.get("SendToWebshop", True)),
    )


def _read(eaccounting: EAccountingClient) -> dict[str, dict]:
    return {a.id: a.raw for a in eaccounting.articles()}


def _marks(tenant: Tenant) -> dict[str, Mark]:
    return {
        m.article_id: Mark(m.available, m.held_by_hand)
        for m in AvailabilityMark.objects.filter(tenant=tenant)
    }


def preview(tenant: Tenant, rules: Rules) -> dict:
    """Plan the rules against every article now and keep the plan: it is what *Apply* will do."""
    articles = _read(EAccountingClient(tenant.eaccounting_connection))
    result = plan(rules, [facts(raw) for raw in articles.values()], _marks(tenant))
    shown = {
        "rules": asdict(rules),
        "at": timezone.now().isoformat(),
        "articles": len(articles),
        "changes": [asdict(c) for c in sorted(result.changes, key=lambda c: c.number)],
        "held": [asdict(h) for h in sorted(result.held, key=lambda h: h.number)],
        "agree": len(result.agree),
    }
    VismaWebshopSettings.objects.update_or_create(tenant=tenant, defaults={"preview": shown})
    return shown


def _put(eaccounting: EAccountingClient, raw: dict, available: bool) -> dict:
    return eaccounting.put(f"/articles/{raw['Id']}", with_values(raw, {"SendToWebshop": available}))


def _mark(tenant: Tenant, article_id: str, number: str, available: bool, held: bool = False) -> None:
    AvailabilityMark.objects.update_or_create(
        tenant=tenant,
        article_id=article_id,
        defaults={"number": number[:40], "available": available, "held_by_hand": held},
    )


def apply_preview(
    tenant: Tenant, *, turn_off: bool, preview_at: str, trigger=SyncRun.Trigger.MANUAL
) -> SyncRun | None:
    """Do what the stored preview showed, item by item checked against the article as it is now.

    The preview's rules become the tenant's rules, kept applied from now on by the schedule.
    None: the preview the person confirmed (`preview_at`) is no longer the stored one, or was applied."""
    settings = VismaWebshopSettings.objects.get(tenant=tenant)
    shown = settings.preview
    if shown.get("at") != preview_at or shown.get("applied_at"):
        return None
    values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in shown["rules"].items()}
    rules = Rules(**values)
    eaccounting = EAccountingClient(tenant.eaccounting_connection)
    with RunRecorder(tenant, SyncRun.Kind.AVAILABILITY, trigger) as run:
        changes = shown["changes"]
        run.progress(0, len(changes))
        for done, change in enumerate(changes, 1):
            _apply_change(tenant, eaccounting, run, change, turn_off)
            run.progress(done)
        for held in shown["held"]:
            _mark(tenant, held["article_id"], held["number"], held["available"], held=True)
        # everything else that agrees with the rules now gets its mark, so a later hand change shows
        marks = _marks(tenant)
        for raw in _read(eaccounting).values():
            article = facts(raw)
            if article.id not in marks and article.available == (not why_not(rules, article)):
                _mark(tenant, article.id, article.number, article.available)
        with transaction.atomic():
            settings.refresh_from_db()
            for field, value in (
                ("only_active", rules.only_active),
                ("only_stock_items", rules.only_stock_items),
                ("exclude_services", rules.exclude_services),
                ("labels", ", ".join(rules.labels)),
                ("excluded_numbers", ", ".join(rules.excluded_numbers)),
            ):
                setattr(settings, field, value)
            settings.rules_applied_at = timezone.now()
            settings.preview = {**settings.preview, "applied_at": settings.rules_applied_at.isoformat()}
            settings.save()
    return run.run


def _apply_change(tenant, eaccounting, run: RunRecorder, change: dict, turn_off: bool) -> None:
    number, available = change["number"], change["available"]
    if not available and not turn_off:
        run.event(
            Outcome.SKIPPED, number, reason="Not taken out of the webshop: that needs its own confirmation."
        )
        return
    try:
        raw = eaccounting.get(f"/articles/{change['article_id']}")
    except NotFound:
        run.event(Outcome.SKIPPED, number, reason="The article no longer exists in eAccounting.")
        return
    if bool(raw.get("SendToWebshop", True)) == available:
        _mark(tenant, raw["Id"], number, available)
        run.event(
            Outcome.SKIPPED,
            number,
            reason="Already as the rules say (changed in eAccounting since the preview).",
        )
        return
    if raw.get("Number") != number:
        run.event(
            Outcome.SKIPPED,
            number,
            reason="Its number changed in eAccounting since the preview: not changed.",
        )
        return
    _put(eaccounting, raw, available)
    _mark(tenant, raw["Id"], number, available)
    run.event(Outcome.UPDATED, number, {"SendToWebshop": [not available, available]}, change["reason"])


def keep(tenant: Tenant, trigger=SyncRun.Trigger.SCHEDULE) -> SyncRun | None:
    """The scheduled run: the applied rules again, for articles new or changed since (None: no rules applied yet)."""
    settings = VismaWebshopSettings.objects.filter(tenant=tenant, rules_applied_at__isnull=False).first()
    if settings is None:
        return None
    eaccounting = EAccountingClient(tenant.eaccounting_connection)
    with RunRecorder(tenant, SyncRun.Kind.AVAILABILITY, trigger) as run:
        articles = _read(eaccounting)
        marks = _marks(tenant)
        result = plan(rules_of(settings), [facts(raw) for raw in articles.values()], marks)
        _keep_marks(tenant, result, marks, run)
        for change in result.changes:
            raw = articles[change.article_id]
            _put(eaccounting, raw, change.available)
            _mark(tenant, change.article_id, change.number, change.available)
            run.event(
                Outcome.UPDATED,
                change.number,
                {"SendToWebshop": [not change.available, change.available]},
                change.reason,
            )
    return run.run


def _keep_marks(tenant, result: AvailabilityPlan, marks: dict[str, Mark], run: RunRecorder) -> None:
    for held in result.held:
        if not marks[held.article_id].held_by_hand:  # reported once, when it is first seen
            run.event(
                Outcome.SKIPPED,
                held.number,
                {"SendToWebshop": [not held.available, held.available]},
                f"Changed by hand in eAccounting; the rules say {'available' if held.wanted else 'not available'}. "
                "Left alone until someone lets the rules decide again.",
            )
        _mark(tenant, held.article_id, held.number, held.available, held=True)
    for article in result.agree:
        mark = marks.get(article.id)
        if mark is None or mark.available != article.available or article.id in result.released:
            _mark(tenant, article.id, article.number, article.available)


def let_rules_decide(tenant: Tenant, article_ids: list[str] | None = None) -> int:
    """Release articles held after a hand change: the next run applies the rules to them."""
    held = AvailabilityMark.objects.filter(tenant=tenant, held_by_hand=True)
    if article_ids is not None:
        held = held.filter(article_id__in=article_ids)
    return held.delete()[0]
