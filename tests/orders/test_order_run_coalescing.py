"""A busy shop's webhooks make one waiting order run per tenant, not one each: triggers that come while a
run is queued and not started join it, and it takes every order joined by the time it starts. The
queue is django-q2's own (the ORM broker); the queued task is run as a worker runs it, from its row."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from django_q.models import OrmQ

from integration import tasks
from integration.models import JobLease, OrderTransfer
from integration.work import leases as jobs
from integration.work.registry import lookup

pytestmark = pytest.mark.django_db(transaction=True)


def webhook(tenant, order) -> bool:
    with transaction.atomic():  # as the intake does: in the transaction recording the delivery
        return tasks.queue_webhook(tenant.pk, "order.created", str(order["id"]))


def queued() -> list[tuple[str, list]]:
    return [(q.task["func"], list(q.task["args"])) for q in OrmQ.objects.order_by("id")]


def work_off_the_queue() -> list[str]:
    """What a worker does: take each queued task (oldest first), run it, acknowledge it."""
    results = []
    while (q := OrmQ.objects.order_by("id").first()) is not None:
        payload = q.task
        q.delete()
        results.append(lookup(payload["func"])(*payload["args"], **payload["kwargs"]))
    return results


@pytest.fixture
def quiet(shop):
    """The shop's own webhooks off (the test delivers them, one by one) and the queue empty."""
    shop.tenant.webshop_connection.webhook_secret = ""
    shop.tenant.webshop_connection.save()
    OrmQ.objects.all().delete()
    return shop


def transferred(tenant) -> set[int]:
    done = OrderTransfer.objects.filter(tenant=tenant, status=OrderTransfer.Status.DONE)
    return set(done.values_list("shop_order_id", flat=True))


def test_webhooks_while_a_run_waits_join_it_and_it_takes_every_order(quiet):
    shop = quiet
    orders = [shop.order([("A-255", 1)]) for _ in range(3)]
    assert [webhook(shop.tenant, o) for o in orders] == [True, False, False]
    assert queued() == [(tasks.handle_webhook.path, [shop.tenant.pk, "order.created", str(orders[0]["id"])])]
    # the poll's schedule fires meanwhile: it joins the waiting run rather than running beside it
    assert tasks.transfer_orders(shop.tenant.pk) == "joined the order run already waiting"
    assert transferred(shop.tenant) == set()

    (result,) = work_off_the_queue()
    assert result.startswith("Succeeded")
    assert transferred(shop.tenant) == {o["id"] for o in orders}
    assert len(shop.documents()) == 3  # one document each, none twice
    row = JobLease.objects.get(tenant=shop.tenant, lock=jobs.ORDERS)
    assert (row.waiting_since, row.waiting_ids) == (None, [])

    later = shop.order([("B-14", 1)])  # after the run started: a run of its own
    assert webhook(shop.tenant, later) is True
    work_off_the_queue()
    assert later["id"] in transferred(shop.tenant)


def test_a_webhook_during_a_run_waits_on_its_lease_and_the_next_ones_join_it(quiet):
    shop = quiet
    first, second = shop.order([("A-255", 1)]), shop.order([("B-14", 2)])
    with jobs.hold(shop.tenant, jobs.ORDERS, then=tasks.transfer_orders.later(shop.tenant.pk)):  # a run going
        assert webhook(shop.tenant, first) is True
        assert "running elsewhere" in work_off_the_queue()[0]  # started, found the lease taken: queued on it
        assert webhook(shop.tenant, second) is False  # that run still waits: this order joins it
        assert queued() == []
    # the holder let go: the run queued on the lease goes, and takes both orders
    assert [func for func, _ in queued()] == [tasks.transfer_orders.path]
    work_off_the_queue()
    assert transferred(shop.tenant) == {first["id"], second["id"]}
    assert queued() == []


def test_a_waiting_run_the_queue_lost_is_queued_again_with_what_joined_it(tenant_a):
    assert tasks.queue_webhook(tenant_a.pk, "order.created", "11") is True
    assert tasks.queue_webhook(tenant_a.pk, "order.created", "12") is False
    OrmQ.objects.all().delete()  # the broker lost the task
    JobLease.objects.filter(tenant=tenant_a).update(
        waiting_since=timezone.now() - jobs.WAITING_MAX - timedelta(seconds=1)
    )
    assert jobs.join(tenant_a.pk, jobs.ORDERS, None, start=False) is False  # a poll no longer joins it
    assert tasks.queue_webhook(tenant_a.pk, "order.created", "13") is True
    row = JobLease.objects.get(tenant=tenant_a, lock=jobs.ORDERS)
    assert row.waiting_ids == [11, 12, 13]
    assert len(queued()) == 1


def test_a_poll_joined_to_a_waiting_run_makes_it_poll(tenant_a):
    assert tasks.queue_webhook(tenant_a.pk, "order.created", "21") is True
    assert jobs.join(tenant_a.pk, jobs.ORDERS, None, start=False) is True
    assert JobLease.objects.get(tenant=tenant_a, lock=jobs.ORDERS).waiting_ids is None
    assert tasks._with_joined([21], jobs.Waiting(None)) is None
    assert tasks._with_joined([21], jobs.Waiting([5, 21])) == [5, 21]
    assert tasks._with_joined([21], None) == [21]


def test_product_webhooks_are_not_joined_to_order_runs(tenant_a):
    assert tasks.queue_webhook(tenant_a.pk, "order.created", "31") is True
    assert tasks.queue_webhook(tenant_a.pk, "product.updated", "7") is True
    assert [func for func, _ in queued()] == [tasks.handle_webhook.path] * 2


def test_an_inactive_tenants_waiting_run_is_let_go(tenant_a):
    assert tasks.queue_webhook(tenant_a.pk, "order.created", "41") is True
    assert work_off_the_queue() == ["not active"]
    assert (
        tasks.queue_webhook(tenant_a.pk, "order.created", "42") is True
    )  # not joined to a run that never ran
