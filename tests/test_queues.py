"""Order work on a queue of its own (SILTA_ORDERS_QUEUE): what goes where, and a cluster started
for that queue runs order tasks and leaves the catalogue's to the default cluster."""

import time

import pytest
from django.test import override_settings
from django_q.models import OrmQ, Schedule, Success

from integration import tasks
from integration.scheduling import manual, schedules
from tests.fixtures.faults import child_env
from tests.fixtures.processes import spawn, stop

pytestmark = pytest.mark.django_db(transaction=True)
ORDERS = "silta-orders"


def queued():
    return sorted((q.key, q.task["func"]) for q in OrmQ.objects.all())


@override_settings(SILTA_ORDERS_QUEUE=ORDERS)
def test_order_tasks_and_the_order_schedule_go_to_the_orders_queue(tenant_a):
    tenant_a.is_active = True
    tenant_a.save()
    schedules.ensure(tenant_a)
    clusters = {
        s.name.rsplit(":", 1)[1]: s.cluster
        for s in Schedule.objects.filter(name__startswith=f"silta:{tenant_a.pk}:")
    }
    assert clusters == {"articles": None, "stock": None, "orders": ORDERS, "webhooks": None}
    assert manual.sync_now(tenant_a)
    tasks.handle_webhook.enqueue(tenant_a.pk, "order.created", "7")
    assert queued() == [
        ("silta", tasks.sync_articles.path),
        (ORDERS, tasks.handle_webhook.path),
        (ORDERS, tasks.transfer_orders.path),
    ]


def test_without_an_orders_queue_everything_goes_to_the_default_cluster(tenant_a):
    tenant_a.is_active = True
    tenant_a.save()
    assert manual.sync_now(tenant_a)
    assert queued() == [("silta", tasks.sync_articles.path), ("silta", tasks.transfer_orders.path)]


@pytest.mark.slow
def test_a_cluster_for_the_orders_queue_runs_order_tasks_only(tenant_a, settings):
    settings.SILTA_ORDERS_QUEUE = ORDERS
    tasks.transfer_orders.enqueue(tenant_a.pk)  # the tenant is not active: a quick answer
    tasks.ping.enqueue()  # the default queue's
    cluster = spawn(
        "qcluster", env={**child_env(settings), "Q_CLUSTER_NAME": ORDERS, "SILTA_ORDERS_QUEUE": ORDERS}
    )
    try:
        deadline = time.monotonic() + 60
        while not Success.objects.exists():
            assert time.monotonic() < deadline and cluster.poll() is None, "the orders cluster ran nothing"
            time.sleep(0.2)
        time.sleep(2)  # had it taken the default queue's task too, it would show now
    finally:
        stop(cluster)
    assert [(t.func, t.result) for t in Success.objects.all()] == [(tasks.transfer_orders.path, "not active")]
    assert queued() == [("silta", tasks.ping.path)]
