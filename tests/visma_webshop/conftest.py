"""A tenant whose webshop is Visma Verkkokauppa, connected to the eAccounting sandbox and activated."""

from dataclasses import dataclass

import pytest
from django.utils import timezone

from integration.activation.activate import activate_visma_webshop
from integration.eaccounting.client import EAccountingClient
from integration.models import ConnectionStatus, Tenant, VismaWebshopSettings, WebshopConnection
from integration.visma_webshop import status

from ..conftest import connect_tenant


@dataclass
class VismaShop:
    ea: object  # the eAccounting sandbox
    tenant: Tenant
    company_id: str
    api: object  # a requests session on the company, as a person's other tools would use
    since: object  # when the test began: the demo company's own webshop orders are older

    def edit(self, number, **fields):
        """A person changes the article in eAccounting's UI."""
        return self.ea.control("PATCH", f"companies/{self.company_id}/articles/{number}", fields)

    def articles(self) -> dict[str, dict]:
        return {
            a["Number"]: a for a in self.ea.control("GET", f"companies/{self.company_id}/resources/articles")
        }

    def invoices(self) -> list[dict]:
        return self.ea.control("GET", f"companies/{self.company_id}/resources/invoices")

    def webshop_order(self, rows, **fields) -> dict:
        return self.ea.control("POST", f"companies/{self.company_id}/webshoporders", {"Rows": rows, **fields})

    def convert_by_hand(self, order_id) -> dict:
        return self.ea.control(
            "POST", f"companies/{self.company_id}/webshoporders/{order_id}/convert-by-hand"
        )


def visma_tenant(ea, slug="verkkokauppa", webshop_status=1) -> Tenant:
    company = ea.companies()[0]
    ea.control("PUT", f"companies/{company['id']}/webshop-status", {"VismaWebshopStatus": webshop_status})
    tenant = connect_tenant(ea, slug, company).tenant
    WebshopConnection.objects.create(
        tenant=tenant,
        platform=WebshopConnection.Platform.VISMA_WEBSHOP,
        status=ConnectionStatus.CONNECTED,
        connected_at=timezone.now(),
    )
    return tenant


def activated(ea, slug="verkkokauppa") -> Tenant:
    tenant = visma_tenant(ea, slug)
    activate_visma_webshop(
        tenant, status.check(EAccountingClient(tenant.eaccounting_connection).company_settings())
    )
    tenant.refresh_from_db()
    return tenant


@pytest.fixture
def shop(ea, db):
    tenant = activated(ea)
    company_id = tenant.eaccounting_connection.company_id
    return VismaShop(ea, tenant, company_id, ea.api(company_id), timezone.now())


def converting(shop, since=None):
    """The owner switches conversion on (at the test's start: the demo company's seeded orders are older)."""
    VismaWebshopSettings.objects.filter(tenant=shop.tenant).update(
        convert_orders=True, convert_orders_since=since or shop.since
    )
