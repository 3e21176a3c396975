"""A tenant connected to a company of the eAccounting sandbox (fixtures `ea`, `ea_server`: tests/conftest.py)."""

import pytest

from integration.eaccounting.client import EAccountingClient

from ..conftest import connect_tenant


@pytest.fixture
def connection(ea, db):
    return connect_tenant(ea, "ea", ea.companies()[0])


@pytest.fixture
def client(connection, ea):
    """A client whose every request and response is checked against Visma's OpenAPI document."""
    client = EAccountingClient(connection)
    client.session.hooks["response"].append(ea.contract.hook(request=True))
    return client
