"""Daily (schedule silta:prune-personal-data): customers' personal data past each tenant's retention.

What goes is personal_data.RETENTION: fields are blanked, rows stay. A transfer keeps its state,
ids, totals and eAccounting document (exactly once depends on the row), a run its counts, the
customer copy its eAccounting id and the e-mail's hash (a returning customer is still found, not
created a second time in eAccounting). Each tenant's rows are updated in one transaction.
"""

from collections import Counter
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from integration.models import (
    AccountingCustomer,
    OrderEvent,
    OrderSettings,
    OrderStep,
    OrderTransfer,
    SyncEvent,
    SyncRun,
    Tenant,
    WebshopOrderConversion,
)
from integration.privacy import personal_data


def cutoff(tenant: Tenant, now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(days=tenant.personal_data_retention_days)


def prune(now: datetime | None = None, *, tenant: Tenant | None = None, dry_run: bool = False) -> Counter:
    """Blank what is past its retention; rows per model label (a dry run counts what would be blanked)."""
    counts = Counter()
    for t in [tenant] if tenant is not None else Tenant.objects.order_by("pk").iterator():
        before = cutoff(t, now)
        with transaction.atomic():
            _hash_missing(t)
            for label, queryset, blank in _rules(t, before):
                counts[label] += queryset.count() if dry_run else queryset.update(**blank)
            counts["integration.WebshopOrderConversion"] += _conversions(t, before, dry_run)
            counts["integration.OrderEvent"] += _order_events(t, before, dry_run)
    return +counts  # only what was found


def summary(counts: Counter) -> str:
    return (
        ", ".join(f"{label.split('.')[-1]}: {n}" for label, n in sorted(counts.items())) or "nothing to blank"
    )


def _rules(tenant: Tenant, before: datetime) -> list[tuple[str, QuerySet, dict]]:
    kinds, finished = personal_data.ORDER_RUN_KINDS, personal_data.FINISHED
    ordered = OrderTransfer.objects.filter(tenant=tenant).exclude(customer_id="")
    collective = OrderSettings.objects.filter(tenant=tenant).values("collective_customer_id")
    customers = (
        AccountingCustomer.objects.filter(tenant=tenant, is_private=True)
        .filter(customer_id__in=ordered.values("customer_id"))
        .exclude(customer_id__in=ordered.filter(created_at__gte=before).values("customer_id"))
        .exclude(pk__in=collective.exclude(collective_customer_id=None))
    )
    latest = (
        SyncRun.objects.filter(tenant=OuterRef("tenant"), kind=OuterRef("kind"))
        .order_by("-started_at", "-pk")
        .values("pk")[:1]
    )
    selected = {
        AccountingCustomer: customers,
        SyncEvent: SyncEvent.objects.filter(tenant=tenant, run__kind__in=kinds, created_at__lt=before),
        SyncRun: SyncRun.objects.filter(tenant=tenant, kind__in=kinds, started_at__lt=before).exclude(
            pk=Subquery(latest)
        ),
        OrderTransfer: OrderTransfer.objects.filter(
            tenant=tenant, status__in=finished, updated_at__lt=before
        ),
        OrderStep: OrderStep.objects.filter(tenant=tenant, status__in=finished, updated_at__lt=before),
    }
    out = []
    for model, queryset in selected.items():
        fields = personal_data.RULES[model._meta.label].fields
        blank = Q()
        for f in fields:
            blank |= ~Q(**{f: ""})  # only rows with something left to blank: counted once
        out.append((model._meta.label, queryset.filter(blank), dict.fromkeys(fields, "")))
    return out


def _hash_missing(tenant: Tenant) -> None:
    """Copies written before email_hash existed (or by hand) get it before their e-mail is blanked."""
    unhashed = AccountingCustomer.objects.filter(tenant=tenant, email_hash="").exclude(email="")
    for pk, email in unhashed.values_list("pk", "email"):
        AccountingCustomer.objects.filter(pk=pk).update(email_hash=personal_data.email_hash(email))


def _order_events(tenant: Tenant, before: datetime, dry_run: bool) -> int:
    """An order's events past the retention lose the reasons they quote (a refusal's words may name a person)."""
    rows = OrderEvent.objects.filter(tenant=tenant, at__lt=before, params__has_key="reasons")
    if dry_run:
        return rows.count()
    done = 0
    for pk, params in rows.values_list("pk", "params"):
        OrderEvent.objects.filter(pk=pk).update(params={k: v for k, v in params.items() if k != "reasons"})
        done += 1
    return done


def _conversions(tenant: Tenant, before: datetime, dry_run: bool) -> int:
    """Finished Visma webshop order conversions lose the customer in their fingerprint and their reason."""
    model = WebshopOrderConversion
    rows = (
        model.objects.filter(tenant=tenant, status__in=personal_data.FINISHED, updated_at__lt=before)
        .filter(~Q(reason="") | Q(fingerprint__has_key="email") | Q(fingerprint__has_key="name"))
        .values_list("pk", "fingerprint")
    )
    done = 0
    for pk, fingerprint in rows:
        done += 1
        if not dry_run:
            model.objects.filter(pk=pk).update(
                reason="", fingerprint=personal_data.without_person(fingerprint or {})
            )
    return done
