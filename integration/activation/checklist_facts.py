"""Reads the set-up checklist's facts for many companies at once: two queries however many there are."""

from collections import defaultdict

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from integration.models import (
    FirstSync,
    OrderTransfer,
    ShopMethod,
    Tenant,
    WebshopConnection,
    WebshopOrderConversion,
)

from .checklist import Checklist, Connection, FirstSyncState, SetupFacts, plan

WAITING = (OrderTransfer.Status.WAITING, OrderTransfer.Status.HELD)


def _connection(connection) -> Connection:
    return Connection.NOT_CONNECTED if connection is None else Connection(connection.status)


def facts_for(tenants: QuerySet[Tenant]) -> dict[int, SetupFacts]:
    """{tenant id: facts} of every tenant in `tenants` (a queryset; it is not evaluated separately)."""
    per_tenant = Q(tenant=OuterRef("pk"))
    rows = list(
        Tenant.objects.filter(pk__in=tenants.values("pk"))
        .select_related("eaccounting_connection", "webshop_connection", "visma_webshop_settings")
        .annotate(
            latest_first_sync=Subquery(
                FirstSync.objects.filter(per_tenant).order_by("-created_at").values("status")[:1]
            ),
            methods_known=Subquery(
                ShopMethod.objects.filter(per_tenant, enabled=True)
                .order_by()
                .values("tenant")
                .annotate(n=Count("pk"))
                .values("n")
            ),
            transferred=Exists(OrderTransfer.objects.filter(per_tenant, status=OrderTransfer.Status.DONE)),
            waiting=Subquery(
                OrderTransfer.objects.filter(per_tenant, status__in=WAITING)
                .order_by()
                .values("tenant")
                .annotate(n=Count("pk"))
                .values("n")
            ),
            converted=Exists(
                WebshopOrderConversion.objects.filter(per_tenant, status=OrderTransfer.Status.DONE)
            ),
        )
    )
    unmapped: dict[int, list[str]] = defaultdict(list)
    for tenant_id, title in (
        ShopMethod.objects.filter(tenant__in=[t.pk for t in rows], enabled=True)
        .annotate(templates=Count("articles"))
        .filter(templates=0)
        .order_by("kind", "title")
        .values_list("tenant_id", "title")
    ):
        unmapped[tenant_id].append(title)

    facts = {}
    for t in rows:
        shop = getattr(t, "webshop_connection", None)
        visma = getattr(t, "visma_webshop_settings", None)
        facts[t.pk] = SetupFacts(
            eaccounting=_connection(getattr(t, "eaccounting_connection", None)),
            webshop=_connection(shop),
            visma_webshop=shop is not None and shop.platform == WebshopConnection.Platform.VISMA_WEBSHOP,
            is_active=t.is_active,
            first_sync=FirstSyncState(t.latest_first_sync or ""),
            methods_known=t.methods_known or 0,
            methods_unmapped=tuple(unmapped[t.pk]),
            orders_transferred=int(t.transferred),
            orders_waiting=t.waiting or 0,
            rules_applied=visma is not None and visma.rules_applied_at is not None,
            convert_orders=visma is not None and visma.convert_orders,
            conversions_done=int(t.converted),
        )
    return facts


def checklists_for(tenants: QuerySet[Tenant]) -> dict[int, Checklist]:
    return {pk: plan(f) for pk, f in facts_for(tenants).items()}
