"""Which django-q2 queue runs a task, and enqueueing after the transaction commits.

Order work may have a cluster of its own (SILTA_ORDERS_QUEUE, run by `Q_CLUSTER_NAME=<it>
manage.py qcluster`): a catalogue job can hold a worker for minutes while it waits for
eAccounting's shared budget, and a paid order should not wait behind it. Unset, one cluster
runs everything.
"""

from django.conf import settings
from django.db import transaction
from django_q.tasks import async_task

ORDER_TASKS = {"integration.tasks.transfer_orders", "integration.tasks.handle_webhook",
               "integration.tasks.convert_webshop_orders"}


def cluster_for(func: str) -> str | None:
    """The queue (django-q2 cluster name) for `func`; None: the default cluster."""
    return (settings.SILTA_ORDERS_QUEUE or None) if func in ORDER_TASKS else None


def enqueue(func: str, *args, **kwargs) -> None:
    """Queue `func` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: async_task(func, *args, cluster=cluster_for(func), **kwargs))
