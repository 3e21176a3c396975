"""The values learnt per tenant before the contract existed become its installation-wide settings."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("integration", "0018_shop_identity")]
AFTER = [("integration", "0019_eaccounting_contract")]


@pytest.fixture
def back_at_the_newest_migrations():
    """Leave the database as every later test expects it, whatever this test asserted."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_learned_includes_vat_and_converted_orders_move_into_the_contract(back_at_the_newest_migrations):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Tenant = old.get_model("integration", "Tenant")
    tenant = Tenant.objects.create(name="Vanha Oy", slug="vanha")
    old.get_model("integration", "ReferenceData").objects.create(
        tenant=tenant, name="eaccounting.includes_vat", data={"private": False, "company": False}
    )
    old.get_model("integration", "VismaWebshopSettings").objects.create(
        tenant=tenant, converted_orders_stay_listed=True
    )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    settings = {
        s.key: (s.value, s.source) for s in new.get_model("integration", "ContractSetting").objects.all()
    }
    assert settings == {
        "private_prices_include_vat": (False, "learned"),
        "company_prices_include_vat": (False, "learned"),
        "converted_orders_stay_listed": (True, "learned"),
    }
    assert (
        not new.get_model("integration", "ReferenceData")
        .objects.filter(name="eaccounting.includes_vat")
        .exists()
    )
