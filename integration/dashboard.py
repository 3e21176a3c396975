"""What the dashboard shows: the user's tenants and the state of their connections."""

from dataclasses import dataclass

from . import tenancy
from .models import ConnectionStatus, Tenant


@dataclass
class TenantRow:
    tenant: Tenant
    eaccounting_status: str
    eaccounting_company: str
    webshop_status: str
    webshop_platform: str
    needs_attention: bool
    is_owner: bool

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
    ).distinct()
    owned = set(tenancy.tenants_for(user, tenancy.OWNERS).values_list("pk", flat=True))
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
                needs_attention=ConnectionStatus.NEEDS_RECONNECT in (ea_status, shop_status),
                is_owner=tenant.pk in owned,
            )
        )
    return rows
