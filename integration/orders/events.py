"""Writing an order's typed events (OrderEvent): one per change of its state, never one per poll.

The callers know what changed: they compare the state they found with the state they write (a waiting
order polled again with the same reason writes nothing) and call `record` in the same transaction as
the state change. Parameters are small and name no person: reason sentences (redacted as the
transfer's reason is), document numbers, amounts as strings.
"""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.utils import timezone

from ..models import OrderEvent, OrderEventKind, OrderTransfer, SyncRun

Kind = OrderEventKind


def record(
    transfer: OrderTransfer, kind: OrderEventKind, run: SyncRun | None = None, **params: Any
) -> OrderEvent:
    clean = {k: _plain(v) for k, v in params.items() if v not in (None, "", [], ())}
    return OrderEvent.objects.create(
        tenant_id=transfer.tenant_id, transfer=transfer, kind=kind, at=timezone.now(), params=clean, run=run
    )


def happened(transfer: OrderTransfer, kind: OrderEventKind) -> bool:
    return OrderEvent.objects.filter(tenant_id=transfer.tenant_id, transfer=transfer, kind=kind).exists()


def reasons(text: str | Iterable[str]) -> list[str]:
    """Reason sentences as params["reasons"] keeps them: one per line of a transfer's reason."""
    lines = text.splitlines() if isinstance(text, str) else [str(t) for t in text]
    return [line for line in (x.strip() for x in lines) if line]


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
