"""The eAccounting sandbox as a live HTTP server, and a tenant connected to one of its companies."""

import pytest
from django.utils import timezone

from integration.eaccounting.client import EAccountingClient
from integration.models import ConnectionStatus, EAccountingConnection, Tenant
from sandbox.eaccounting.testing import Sandbox


@pytest.fixture(scope="session")
def ea_server():
    sandbox = Sandbox(settings={"demo": True, "demo_articles": 20})
    yield sandbox
    sandbox.close()


@pytest.fixture
def ea(ea_server, settings):
    """A freshly reset sandbox; Silta's settings point at it."""
    ea_server.control("POST", "reset", {"demo": True, "articles": 20})
    settings.EACCOUNTING_IDENTITY_URL = ea_server.base
    settings.EACCOUNTING_API_URL = f"{ea_server.base}/v2"
    settings.EACCOUNTING_CLIENT_ID = "silta-demo"
    settings.EACCOUNTING_CLIENT_SECRET = "silta-demo-secret"
    return ea_server


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
