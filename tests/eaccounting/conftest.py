"""A tenant connected to a company of the eAccounting sandbox (fixtures `ea`, `ea_server`: tests/conftest.py)."""

import pytest
from django.utils import timezone

from integration.eaccounting.client import EAccountingClient
from integration.models import ConnectionStatus, EAccountingConnection, Tenant


def connect_tenant(ea, slug, company):
    """A tenant holding tokens minted by the sandbox for `company` (no browser involved)."""
    tokens = ea.token(company["id"])
    tenant = Tenant.objects.create(name=f"Tenant {slug}", slug=slug)
    return EAccountingConnection.objects.create(
        tenant=tenant, status=ConnectionStatus.CONNECTED, company_id=company["id"], company_name=company["name"],
        access_token=tokens["access_token"], refresh_token=tokens["refresh_token"],
        access_token_expires_at=timezone.now() + timezone.timedelta(seconds=tokens["expires_in"]),
    )


@pytest.fixture
def connection(ea, db):
    return connect_tenant(ea, "ea", ea.companies()[0])


@pytest.fixture
def client(connection, ea):
    """A client whose every request and response is checked against Visma's OpenAPI document."""
    client = EAccountingClient(connection)
    client.session.hooks["response"].append(ea.contract.hook(request=True))
    return client
