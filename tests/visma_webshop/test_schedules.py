"""A Visma Verkkokauppa tenant's schedules: the rules and the conversion, none of WooCommerce's jobs."""

import pytest
from django_q.models import Schedule

from integration import tasks
from integration.models import JobSchedule, WebshopConnection
from integration.scheduling import schedules

pytestmark = pytest.mark.django_db


def _names(tenant):
    return sorted(Schedule.objects.filter(name__startswith=f"silta:{tenant.pk}:").values_list("name", "func"))


def test_activation_schedules_the_rules_and_the_conversion_only(shop):
    assert _names(shop.tenant) == [
        (f"silta:{shop.tenant.pk}:availability", tasks.keep_availability.path),
        (f"silta:{shop.tenant.pk}:webshop_orders", tasks.convert_webshop_orders.path),
    ]
    assert dict(JobSchedule.objects.filter(tenant=shop.tenant).values_list("job", "minutes")) == {
        "availability": 60,
        "webshop_orders": 5,
    }


def test_a_tenant_that_changes_platform_loses_the_other_platforms_schedules(shop):
    WebshopConnection.objects.filter(tenant=shop.tenant).update(
        platform=WebshopConnection.Platform.WOOCOMMERCE, base_url="https://kauppa.example.fi"
    )
    schedules.ensure(shop.tenant)
    assert [job.rsplit(":", 1)[1] for job, _ in _names(shop.tenant)] == [
        "articles",
        "orders",
        "stock",
        "webhooks",
    ]
