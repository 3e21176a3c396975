"""Every admin list an owner uses makes a fixed number of SQL queries however many rows it shows
(as the dashboard: tests/test_seeing_what_happens.py). make_tenant puts a row into every
tenant-scoped model, so five companies show five times the rows of one."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from integration.models import Membership
from portal.admin.tenant_admin import TenantScopedAdmin

from .conftest import make_tenant

pytestmark = pytest.mark.django_db


def owner_lists():
    return sorted(
        f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, TenantScopedAdmin)
    )


def test_every_owners_list_makes_as_many_queries_for_five_companies_as_for_one(client, owner_a, tenant_a):
    client.force_login(owner_a)

    def counts():
        out = {}
        for name in owner_lists():
            with CaptureQueriesContext(connection) as captured:
                response = client.get(reverse(name))
            assert response.status_code == 200, name
            out[name] = len(captured)
        return out

    one = counts()
    for n in range(4):
        tenant = make_tenant(f"more{n}", f"222222{n}-{n}")
        Membership.objects.create(tenant=tenant, user=owner_a, role=Membership.Role.OWNER)
    five = counts()
    assert len(one) >= 15  # the lists exist (a registry change would not silently empty this test)
    grew = {name: (one[name], five[name]) for name in one if five[name] != one[name]}
    assert grew == {}, f"queries for one company's rows vs five: {grew}"
