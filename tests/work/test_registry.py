"""The task registry: paths derived from the functions, each task on its queue, the retry rule checked."""

import pydoc

import pytest
from django.core import checks
from django_q.models import OrmQ

from integration import tasks
from integration.scheduling import ops_tasks
from integration.work import registry
from integration.work.registry import Queue


def test_every_task_is_found_by_the_path_django_q2_stores():
    assert tasks.sync_articles.path == f"{tasks.__name__}.sync_articles"  # rows written before keep working
    assert ops_tasks.cleanup.path == f"{ops_tasks.__name__}.cleanup"
    for path, task in registry.REGISTRY.items():
        assert pydoc.locate(path) is task  # what django-q2's worker calls
    assert registry.lookup(tasks.ping.path) is tasks.ping


def test_unknown_paths_are_refused():
    with pytest.raises(LookupError):
        registry.lookup(f"{tasks.__name__}.no_such_task")


def test_order_work_has_a_queue_of_its_own_and_the_rest_the_default(settings):
    on_orders = {path for path, task in registry.REGISTRY.items() if task.queue is Queue.ORDERS}
    assert on_orders == {
        tasks.transfer_orders.path,
        tasks.handle_webhook.path,
        tasks.convert_webshop_orders.path,
    }
    settings.SILTA_ORDERS_QUEUE = "silta-orders"
    assert (tasks.transfer_orders.cluster(), tasks.sync_articles.cluster()) == ("silta-orders", None)
    settings.SILTA_ORDERS_QUEUE = ""
    assert tasks.transfer_orders.cluster() is None


def test_calling_a_task_runs_it_here():
    assert tasks.ping() == "pong"


@pytest.mark.django_db(transaction=True)
def test_enqueue_queues_the_call_with_its_timeout(monkeypatch):
    quick = registry.Task(tasks.ping.func, Queue.DEFAULT, timeout=30)
    monkeypatch.setitem(registry.REGISTRY, quick.path, quick)
    quick.enqueue()
    tasks.sync_articles.enqueue(7, "manual")
    queued = sorted((q.task["func"], q.task["args"], q.task.get("timeout")) for q in OrmQ.objects.all())
    assert queued == [(tasks.ping.path, (), 30), (tasks.sync_articles.path, (7, "manual"), None)]


def test_a_retry_shorter_than_a_task_plus_its_queue_wait_is_a_configuration_error(settings):
    timeout = settings.Q_CLUSTER["timeout"]
    assert registry.retry_problems(timeout + registry.QUEUE_WAIT + 1) == []
    problems = registry.retry_problems(timeout + registry.QUEUE_WAIT)
    assert any(tasks.sync_articles.path in p and "raise Q_RETRY" in p for p in problems)
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "retry": timeout + 1}
    errors = checks.run_checks()
    assert any(e.id == "silta.E010" for e in errors)
