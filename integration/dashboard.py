"""What the dashboard shows: the user's tenants and the state of their connections."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q

from . import tenancy
from .models import ConnectionStatus, OrderTransfer, ShopMethod, Tenant

NEEDS_A_PERSON = (OrderTransfer.Status.WAITING, OrderTransfer.Status.HELD)


@dataclass
class TenantRow:
    tenant: Tenant
    eaccounting_status: str
    eaccounting_company: str
    webshop_status: str
    webshop_platform: str
    needs_attention: bool
    is_owner: bool
    orders_waiting: int = 0
    methods_without_template: list[str] = field(default_factory=list)

    @property
    def ready_to_activate(self):
        return self.eaccounting_status == self.webshop_status == ConnectionStatus.CONNECTED.label


def _status(connection):
    if connection is None:
        return ConnectionStatus.NOT_CONNECTED
    return ConnectionStatus(connection.status)


def tenant_rows(user):
    """One row per tenant the user may see; a fixed number of queries however many tenants there are."""
    tenants = tenancy.tenants_for(user).select_related(
        "eaccounting_connection", "webshop_connection"
    ).annotate(
        orders_waiting=Count("order_transfers", filter=Q(order_transfers__status__in=NEEDS_A_PERSON), distinct=True)
    ).distinct()
    owned = set(tenancy.tenants_for(user, tenancy.OWNERS).values_list("pk", flat=True))
    untemplated = defaultdict(list)
    for tenant_id, title in (ShopMethod.objects.filter(tenant__in=tenancy.tenants_for(user), enabled=True)
                             .annotate(templates=Count("articles")).filter(templates=0)
                             .order_by("kind", "title").values_list("tenant_id", "title")):  # fmt: skip
        untemplated[tenant_id].append(title)
    rows = []
    for tenant in tenants:
        ea = getattr(tenant, "eaccounting_connection", None)
        shop = getattr(tenant, "webshop_connection", None)
        ea_status, shop_status = _status(ea), _status(shop)
        rows.append(
            TenantRow(
                tenant=tenant,
                eaccounting_status=ea_status.label,
                eaccounting_company=ea.company_name if ea else "",
                webshop_status=shop_status.label,
                webshop_platform=shop.get_platform_display() if shop else "",
                needs_attention=ConnectionStatus.NEEDS_RECONNECT in (ea_status, shop_status) or bool(tenant.orders_waiting),
                is_owner=tenant.pk in owned,
                orders_waiting=tenant.orders_waiting,
                methods_without_template=untemplated[tenant.pk] if tenant.is_active else [],
            )
        )
    return rows
