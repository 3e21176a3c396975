"""What the dashboard shows: the user's tenants, their connections, their runs and what needs a person.

Everything is read in a fixed number of queries however many tenants, runs and events there are:
each query covers all the user's tenants and is grouped by tenant in Python.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Case, Count, F, Max, Min, OuterRef, Q, Subquery, Value, When, Window
from django.db.models.functions import RowNumber, TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.timesince import timesince
from django.utils.translation import gettext
from django_q.models import Schedule

from integration.activation.checklist import Checklist, plan
from integration.activation.checklist_facts import facts_for
from integration.models import (
    ConnectionStatus,
    FirstSync,
    ImportItem,
    OrderTransfer,
    SyncEvent,
    SyncRun,
    Tenant,
    WebshopOrderConversion,
)
from integration.people import tenancy
from integration.scheduling import schedules
from integration.scheduling.manual import CATALOGUE_KINDS
from integration.sync import stock_to_enter
from portal.dashboard_chart import CHART_DAYS, SERIES, Chart, series_for
from portal.run_words import counts_in_words

NEEDS_A_PERSON = (OrderTransfer.Status.WAITING, OrderTransfer.Status.HELD)
NOT_TRANSFERRED = (OrderTransfer.Status.PENDING, OrderTransfer.Status.SENDING, *NEEDS_A_PERSON)
#: The kinds of run the dashboard lists (the first import has its own page), with the schedule job of each.
SHOWN_KINDS = {
    SyncRun.Kind.ARTICLES: "articles",
    SyncRun.Kind.STOCK: "stock",
    SyncRun.Kind.ORDERS: "orders",
    SyncRun.Kind.AVAILABILITY: "availability",
    SyncRun.Kind.WEBSHOP_ORDERS: "webshop_orders",
}
FAILING_AFTER = 3  # this many failed runs of a kind in a row: flagged
DRIFT_DAYS = 7


def _count(n: int) -> str:
    return number_format(n, use_l10n=True, force_grouping=True)  # 10,000 in English, 10 000 in Finnish


def progress_text(done: int, total: int | None, running: bool = True) -> str:
    """'312 of 10,000' (the same words on the page and in its JSON); 'running' before anything is counted,
    and for a run that has ended, what it did ('312 done') or nothing. In the user's language."""
    if total is not None:
        return gettext("%(done)s of %(total)s") % {"done": _count(done), "total": _count(total)}
    if not running:
        return gettext("%(done)s done") % {"done": _count(done)} if done else "–"
    return gettext("%(done)s so far") % {"done": _count(done)} if done else gettext("running")


def run_shown(run: SyncRun) -> dict:
    """A run as the page shows it while it runs (also the JSON the page polls)."""
    return {
        "id": run.pk,
        "kind": run.kind,
        "label": str(run.get_kind_display()),
        "status": run.status,
        "status_label": str(run.get_status_display()),
        "done": run.progress_done,
        "total": run.progress_total,
        "text": progress_text(run.progress_done, run.progress_total, run.status == SyncRun.Status.RUNNING),
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        # what the dashboard's row of the run's kind shows, so it can change without a reload
        "url": reverse("admin:integration_syncrun_change", args=[run.pk]),
        "ago": gettext("%(since)s ago") % {"since": timesince(run.started_at)},
        "counts_text": ", ".join(counts_in_words(run.counts, timings=False)),
    }


@dataclass
class KindRuns:
    """One kind of run for one tenant: its latest runs (newest first) and its next scheduled run."""

    kind: str
    recent: list[SyncRun] = field(default_factory=list)
    next_run: datetime | None = None

    @property
    def label(self):
        return SyncRun.Kind(self.kind).label

    @property
    def last(self):
        return self.recent[0] if self.recent else None

    @property
    def failing(self) -> bool:
        """The last FAILING_AFTER runs all failed: not a passing hiccup, a person should look."""
        return len(self.recent) >= FAILING_AFTER and all(
            r.status == SyncRun.Status.FAILED for r in self.recent[:FAILING_AFTER]
        )

    @property
    def overdue(self) -> bool:
        """The schedule's time has passed by more than a minute: is a task cluster running?"""
        return self.next_run is not None and self.next_run < timezone.now() - timedelta(minutes=1)

    @property
    def counts_shown(self) -> str:
        return ", ".join(counts_in_words(self.last.counts if self.last else {}, timings=False))


@dataclass
class TenantRow:
    tenant: Tenant
    eaccounting_status: str  # the status in words (the user's language)
    eaccounting_company: str
    webshop_status: str
    webshop_platform: str
    is_owner: bool
    eaccounting_state: str = ConnectionStatus.NOT_CONNECTED  # the status' value, for the page's conditions
    webshop_state: str = ConnectionStatus.NOT_CONNECTED
    orders_waiting: int = 0
    methods_without_template: list[str] = field(default_factory=list)
    runs: list[KindRuns] = field(default_factory=list)
    running: list[dict] = field(default_factory=list)  # run_shown() of each run going on now
    mass_change_run: SyncRun | None = None  # the article run that waits for a person to confirm prices
    unimportable: int = 0  # products of the latest first sync that cannot go into eAccounting
    drift: int = 0  # locked fields changed in the shop (and put back) in the last DRIFT_DAYS days
    articles_synced_at: datetime | None = None  # start of the last successful article sync
    oldest_order_waiting_since: datetime | None = None  # oldest order not yet in eAccounting
    chart: Chart | None = None
    connection_trouble: bool = False
    is_visma_webshop: bool = False  # Visma Verkkokauppa: rules and conversion instead of syncs
    setup: Checklist | None = None  # shown until every step is done (and again when one breaks)
    stock_to_enter: int = 0  # products the first sync created whose stock waits to be entered in eAccounting

    @property
    def ready_to_activate(self):
        return self.eaccounting_state == self.webshop_state == ConnectionStatus.CONNECTED

    @property
    def failing(self) -> list[KindRuns]:
        return [k for k in self.runs if k.failing]

    @property
    def freshness(self) -> timedelta | None:
        """How old the oldest change not yet synced can be (see README, "Seeing what happens").

        Changes made in eAccounting since the last successful article sync started may not be in the
        shop yet; an order not yet transferred has waited since Silta first saw it. The larger of the two.
        None when the integration is not active or no article sync has succeeded yet (the page says so)."""
        if not self.tenant.is_active or self.articles_synced_at is None:
            return None
        since = [t for t in (self.articles_synced_at, self.oldest_order_waiting_since) if t is not None]
        return timezone.now() - min(since)

    @property
    def freshness_since(self) -> datetime | None:
        age = self.freshness
        return None if age is None else timezone.now() - age

    @property
    def needs_attention(self) -> bool:
        return bool(
            self.connection_trouble
            or self.orders_waiting
            or self.mass_change_run
            or self.unimportable
            or self.drift
            or self.failing
            or self.stock_to_enter
        )


def _status(connection):
    if connection is None:
        return ConnectionStatus.NOT_CONNECTED
    return ConnectionStatus(connection.status)


def recent_runs(tenant_ids):
    """The latest FAILING_AFTER runs of each kind of each tenant, newest first (one query; dry runs left out)."""
    return (
        SyncRun.objects.filter(tenant__in=tenant_ids, dry_run=False)
        .annotate(
            rank=Window(
                RowNumber(), partition_by=[F("tenant_id"), F("kind")], order_by=F("started_at").desc()
            )
        )
        .filter(rank__lte=FAILING_AFTER)
        .order_by("tenant_id", "kind", "-started_at")
    )


def _running(by_kind) -> list[SyncRun]:
    """The runs going on now: the latest run of a kind, while it runs (an older run still marked running
    was left behind by a stopped worker)."""
    return sorted(
        (rs[0] for rs in by_kind.values() if rs and rs[0].status == SyncRun.Status.RUNNING),
        key=lambda r: r.started_at,
    )


def _chart_days(today: date) -> list[date]:
    return [today - timedelta(days=n) for n in range(CHART_DAYS - 1, -1, -1)]


def _per_day(queryset, field_name, since):
    """{tenant id: {day: count}} of rows whose `field_name` is at or after `since` (local days)."""
    counted = defaultdict(dict)
    rows = (
        queryset.filter(**{f"{field_name}__gte": since})
        .annotate(day=TruncDate(field_name))
        .values("tenant_id", "day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        counted[row["tenant_id"]][row["day"]] = row["n"]
    return counted


def _orders_per_day(visible, since) -> dict[str, dict]:
    """Orders transferred per day (by transferred_at) and orders waiting now per day Silta first saw them
    (created_at), in one query: {"transferred"|"waiting": {tenant id: {day: count}}}."""
    waits = Q(status__in=NEEDS_A_PERSON)
    counted: dict[str, dict] = {"transferred": defaultdict(dict), "waiting": defaultdict(dict)}
    rows = (
        OrderTransfer.objects.filter(tenant__in=visible)
        .filter(Q(transferred_at__gte=since) | (waits & Q(created_at__gte=since)))
        .annotate(
            series=Case(When(waits, then=Value("waiting")), default=Value("transferred")),
            day=Case(When(waits, then=TruncDate("created_at")), default=TruncDate("transferred_at")),
        )
        .values("tenant_id", "series", "day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        counted[row["series"]][row["tenant_id"]][row["day"]] = row["n"]
    return counted


def _chart(days, shop, counts) -> Chart:
    """The series a company of its kind has, and any other that has something to show."""
    usual = series_for(shop is not None and shop.platform == shop.Platform.VISMA_WEBSHOP)
    return Chart.of(days, [s for s in SERIES if s in usual or counts[s.key]], counts)


def _by_tenant(queryset, **aggregate):
    """{tenant id: value} of one aggregate grouped by tenant."""
    ((name, expression),) = aggregate.items()
    return {
        r["tenant_id"]: r[name]
        for r in queryset.values("tenant_id").annotate(**{name: expression}).order_by()
    }


def tenant_rows(user):
    """One row per tenant the user may see; a fixed number of queries however many tenants there are."""
    tenants = list(
        tenancy.tenants_for(user)
        .select_related("eaccounting_connection", "webshop_connection")
        .annotate(
            orders_waiting=Count(
                "order_transfers", filter=Q(order_transfers__status__in=NEEDS_A_PERSON), distinct=True
            ),
            stock_to_enter=stock_to_enter.count_per_tenant(),
        )
        .distinct()
    )
    if not tenants:
        return []
    visible = tenancy.tenants_for(user).values("pk")
    owned = set(tenancy.tenants_for(user, tenancy.OWNERS).values_list("pk", flat=True))
    now = timezone.now()

    runs = defaultdict(lambda: defaultdict(list))  # tenant id -> kind -> newest first
    for run in recent_runs(visible):
        runs[run.tenant_id][run.kind].append(run)

    next_runs = {}
    job_names = {schedules.name(t.pk, job): (t.pk, job) for t in tenants for job in SHOWN_KINDS.values()}
    for name, next_run in Schedule.objects.filter(name__in=job_names).values_list("name", "next_run"):
        next_runs[job_names[name]] = next_run

    synced_at = _by_tenant(
        SyncRun.objects.filter(
            tenant__in=visible, kind__in=CATALOGUE_KINDS, status=SyncRun.Status.SUCCEEDED, dry_run=False
        ),
        at=Max("started_at"),
    )
    oldest_waiting = _by_tenant(
        OrderTransfer.objects.filter(tenant__in=visible, status__in=NOT_TRANSFERRED), since=Min("created_at")
    )
    drift = _by_tenant(
        SyncEvent.objects.filter(
            tenant__in=visible,
            outcome=SyncEvent.Outcome.DRIFT,
            created_at__gte=now - timedelta(days=DRIFT_DAYS),
        ),
        n=Count("pk"),
    )
    latest_first_sync = (
        FirstSync.objects.filter(tenant=OuterRef("tenant")).order_by("-created_at").values("pk")[:1]
    )
    unimportable = _by_tenant(
        ImportItem.objects.filter(
            tenant__in=visible, kind=ImportItem.Kind.REJECT, first_sync=Subquery(latest_first_sync)
        ),
        n=Count("pk"),
    )

    facts = facts_for(tenancy.tenants_for(user))  # the set-up checklist's facts, also the unmapped methods
    checklists = {pk: plan(f) for pk, f in facts.items()}
    days = _chart_days(timezone.localdate(now))
    since = timezone.make_aware(datetime.combine(days[0], datetime.min.time()))
    orders = _orders_per_day(visible, since)
    per_day = {  # series key -> tenant id -> {day: count}
        "transferred": orders["transferred"],
        "conversions": _per_day(
            WebshopOrderConversion.objects.filter(
                tenant__in=visible, outcome=WebshopOrderConversion.Outcome.CONVERTED
            ),
            "converted_at",
            since,
        ),
        "waiting": orders["waiting"],
        "errors": _per_day(
            SyncEvent.objects.filter(tenant__in=visible, outcome=SyncEvent.Outcome.FAILED),
            "created_at",
            since,
        ),
    }

    rows = []
    for tenant in tenants:
        ea = getattr(tenant, "eaccounting_connection", None)
        shop = getattr(tenant, "webshop_connection", None)
        ea_status, shop_status = _status(ea), _status(shop)
        by_kind = runs[tenant.pk]
        kinds = [
            KindRuns(kind, by_kind.get(kind, []), next_runs.get((tenant.pk, job)))
            for kind, job in SHOWN_KINDS.items()
        ]
        catalogue = [r for kind in CATALOGUE_KINDS for r in by_kind.get(kind, [])[:1]]
        last_catalogue = max(catalogue, key=lambda r: r.started_at, default=None)
        guarded = last_catalogue is not None and last_catalogue.status == SyncRun.Status.NEEDS_CONFIRMATION
        rows.append(
            TenantRow(
                tenant=tenant,
                eaccounting_status=ea_status.label,
                eaccounting_state=ea_status.value,
                eaccounting_company=ea.company_name if ea else "",
                webshop_status=shop_status.label,
                webshop_state=shop_status.value,
                webshop_platform=shop.get_platform_display() if shop else "",
                is_visma_webshop=shop is not None and shop.platform == shop.Platform.VISMA_WEBSHOP,
                connection_trouble=ConnectionStatus.NEEDS_RECONNECT in (ea_status, shop_status),
                is_owner=tenant.pk in owned,
                orders_waiting=tenant.orders_waiting,
                methods_without_template=list(facts[tenant.pk].methods_unmapped)
                if tenant.is_active and tenant.pk in facts
                else [],
                # a kind with neither a run nor a schedule (e.g. a tenant not activated) is left out
                runs=[k for k in kinds if k.recent or k.next_run],
                running=[run_shown(r) for r in _running(by_kind)],
                mass_change_run=last_catalogue if guarded else None,
                unimportable=unimportable.get(tenant.pk, 0),
                drift=drift.get(tenant.pk, 0),
                articles_synced_at=synced_at.get(tenant.pk),
                oldest_order_waiting_since=oldest_waiting.get(tenant.pk),
                chart=_chart(days, shop, {key: counts[tenant.pk] for key, counts in per_day.items()}),
                setup=checklists.get(tenant.pk),
                stock_to_enter=tenant.stock_to_enter or 0,
            )
        )
    return rows


def progress(tenant: Tenant) -> dict:
    """The tenant's running runs with their progress, and the last run of each kind (for the page's poller)."""
    by_kind = defaultdict(list)
    for run in recent_runs([tenant.pk]):
        by_kind[run.kind].append(run)
    latest = [rs[0] for rs in by_kind.values()]

    return {
        "tenant": tenant.slug,
        "running": [run_shown(r) for r in _running(by_kind)],
        "latest": [run_shown(r) for r in latest],
    }
