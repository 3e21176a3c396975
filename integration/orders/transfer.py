"""Web orders into eAccounting, each exactly once: fetch → plan (pure) → claim → create → record → write back.

Exactly once: an OrderTransfer row per shop order is committed before the remote call and
claimed with a fencing token (claim.py). A create whose answer was lost leaves the row
*sending*; the next attempt looks the document up by its reference (the shop order number
in YourReference) before creating anything. Orders that cannot go through wait with a reason
a person can act on, and are tried again on every run, so they go through by themselves
once the cause is fixed.
"""

import itertools
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.conf import settings as django_settings
from django.db.models import F
from django.utils import timezone

from integration import webshops
from integration.privacy import personal_data
from integration.work import claim as claims
from integration.work.leases import Lease
from integration.work.record import RunRecorder

from ..eaccounting import documents
from ..eaccounting.client import EAccountingClient
from ..eaccounting.documents import DocumentKind
from ..eaccounting.errors import EAccountingError, OutcomeUnknown, RateLimited, ServerError
from ..eaccounting.resources import CompanySettings
from ..models import OrderSettings, OrderStep, OrderTransfer, SyncCursor, SyncEvent, SyncRun, Tenant
from ..webshops.base import ShopOrder, Webshop, WebshopError
from . import customers, document_body, lifecycle, reference
from .context import PlanInputs
from .customer_plan import CustomerRules, plan_customer
from .document_plan import plan_document
from .outcomes import Waiting

log = logging.getLogger(__name__)

ORDERS_CURSOR = "shop.orders"


def overlap() -> timedelta:
    """How far back each poll reads again: the shop's clock and ours may differ a little."""
    return timedelta(seconds=django_settings.SILTA_ORDER_POLL_OVERLAP_SECONDS)


RETRY_BATCH = 100
WRITE_BACK_MAX = 5000  # per run; more wait for the next run
STATUS = OrderTransfer.Status
META_KIND, META_ID, META_NUMBER = (
    "_silta_eaccounting_document",
    "_silta_eaccounting_id",
    "_silta_eaccounting_number",
)


class TransferBlocked(Exception):
    pass


@dataclass
class Run:
    """What one run works with, read once."""

    tenant: Tenant
    settings: OrderSettings
    eaccounting: EAccountingClient
    shop: Webshop
    company: CompanySettings
    rules: CustomerRules
    inputs: PlanInputs
    rec: RunRecorder
    lease: Lease | None = None
    write_backs: list[OrderTransfer] = field(default_factory=list)


def transfer_orders(tenant: Tenant, *, trigger=SyncRun.Trigger.MANUAL, order_ids=None, lease=None) -> SyncRun:
    """Transfer new orders (polled since the last run, or just `order_ids`) and retry waiting ones.

    `lease`: the tenant's order lease (jobs.hold), checked before each order."""
    eaccounting = EAccountingClient(tenant.eaccounting_connection)
    shop = webshops.for_connection(tenant.webshop_connection)
    with RunRecorder(tenant, SyncRun.Kind.ORDERS, trigger) as rec:
        if not tenant.is_active:
            raise TransferBlocked("The integration is not active: activate it before orders are transferred.")
        settings, _ = OrderSettings.objects.get_or_create(tenant=tenant)
        if not settings.enabled:
            rec.event(
                SyncEvent.Outcome.SKIPPED, "-", reason="Order transfer is switched off in the order settings."
            )
            return rec.run
        started, cursor = timezone.now(), SyncCursor.objects.filter(tenant=tenant, name=ORDERS_CURSOR).first()
        if order_ids is not None:
            orders = iter(_fetch_by_id(shop, [int(i) for i in order_ids], rec))
        else:  # every status: a transferred order's later life (completed, cancelled, refunded) is followed too
            orders = iter(
                shop.orders(modified_after=cursor.value - overlap() if cursor else settings.transfer_from)
            )
        first = next(orders, None)
        if first is None and not _anything_open(tenant):
            _advance(tenant, started, order_ids)
            return rec.run  # nothing new, nothing waiting: eAccounting's shared budget is not touched
        run = _start(tenant, settings, eaccounting, shop, rec, lease)
        seen: set[int] = set()
        for order in itertools.chain([first], orders) if first is not None else ():
            seen.add(order.id)
            _consider(run, order)
            if len(seen) % 20 == 0:
                rec.progress(len(seen))
        _advance(tenant, started, order_ids)
        _retry_open(run, seen)
        _write_back(run)
        rec.counts.update(
            {
                "requests_eaccounting": eaccounting.stats["requests"],
                "eaccounting_wait_seconds": round(eaccounting.stats["waited_seconds"], 2),
            }
        )
    return rec.run


def _anything_open(tenant: Tenant) -> bool:
    """Orders or steps waiting or left sending, or references not yet written onto shop orders."""
    open_ = (STATUS.PENDING, STATUS.WAITING, STATUS.SENDING)
    return (
        OrderTransfer.objects.filter(tenant=tenant, status__in=open_).exists()
        or OrderStep.objects.filter(tenant=tenant, status__in=open_).exists()
        or OrderTransfer.objects.filter(
            tenant=tenant, status__in=(STATUS.DONE, STATUS.HELD), written_back=False
        ).exists()
    )


def _advance(tenant: Tenant, started, order_ids) -> None:
    if order_ids is None:  # a poll saw everything changed until it started
        SyncCursor.objects.update_or_create(tenant=tenant, name=ORDERS_CURSOR, defaults={"value": started})


def _start(tenant, settings, eaccounting, shop, rec, lease) -> Run:
    company = reference.company(tenant, eaccounting)
    # the admin's customer pick lists show the copy: kept within hours here; within minutes before a
    # customer is created (customers.create), so a known buyer's order reads nothing but its document
    reference.refresh_customers(tenant, eaccounting, reference.CUSTOMER_LIST_MAX_AGE)
    rules = customers.rules(settings, company)
    inputs = PlanInputs.load(tenant, settings, company, reference.tax_rates(tenant, shop))
    return Run(tenant, settings, eaccounting, shop, company, rules, inputs, rec, lease)


def _fetch_by_id(shop: Webshop, ids: list[int], rec) -> list[ShopOrder]:
    found = []
    for start in range(0, len(ids), RETRY_BATCH):
        chunk = ids[start : start + RETRY_BATCH]
        batch = list(shop.orders(ids=chunk))
        found += batch
        for missing in set(chunk) - {o.id for o in batch}:
            rec.event(SyncEvent.Outcome.SKIPPED, str(missing), reason="The order is no longer in the shop.")
    return found


def _retry_open(run: Run, seen: set[int]) -> None:
    """Orders waiting for a fix, and attempts a killed worker left behind, are tried again."""
    now = timezone.now()
    open_ids = set(
        OrderTransfer.objects.filter(claims.to_retry(now), tenant=run.tenant)
        .exclude(shop_order_id__in=seen)
        .values_list("shop_order_id", flat=True)
    )
    open_ids |= set(
        OrderStep.objects.filter(claims.to_retry(now), tenant=run.tenant)
        .exclude(transfer__shop_order_id__in=seen)
        .values_list("transfer__shop_order_id", flat=True)
    )
    for order in _fetch_by_id(run.shop, sorted(open_ids), run.rec) if open_ids else []:
        _consider(run, order)


def _consider(run: Run, order: ShopOrder) -> None:
    if run.lease is not None:
        run.lease.check()  # fenced: a worker whose lease was taken over stops here
    settings = run.settings
    known = OrderTransfer.objects.filter(
        tenant=run.tenant, shop_order_id=order.id, status=STATUS.DONE
    ).first()
    if known is not None:
        return lifecycle.follow(run, order, known)
    if order.status not in settings.status_list:
        reason = f"The order is {order.status} in the shop; only {', '.join(settings.status_list)} orders are transferred."
        claims.settle_unclaimed(
            OrderTransfer.objects.filter(tenant=run.tenant, shop_order_id=order.id),
            status=STATUS.SKIPPED,
            reason=reason,
            shop_status=order.status,
        )
        return
    if settings.transfer_from and order.date_created_gmt and order.date_created_gmt < settings.transfer_from:
        if not OrderTransfer.objects.filter(tenant=run.tenant, shop_order_id=order.id).exists():
            return  # from before activation: only on request (a person adds it in the admin)
    transfer, _ = OrderTransfer.objects.get_or_create(
        tenant=run.tenant,
        shop_order_id=order.id,
        defaults={"shop_order_number": order.number[:40], "status": STATUS.PENDING},
    )
    if transfer.status in (STATUS.DONE, STATUS.HELD, STATUS.SKIPPED):
        return
    try:
        _transfer(run, order, transfer)
    except (ServerError, RateLimited) as exc:
        run.rec.event(
            SyncEvent.Outcome.FAILED, order.number, reason=f"eAccounting is not answering now: {exc}"
        )
        return
    transfer.refresh_from_db()
    if transfer.status == STATUS.DONE:  # e.g. an order completed (or paid) at checkout: invoice it now
        lifecycle.follow(run, order, transfer)


def _wait(run: Run, transfer: OrderTransfer, order: ShopOrder, reasons, claim=None, **kept) -> None:
    # a refusal may quote the customer's data back: the reason names the order, not the person
    text = personal_data.redact("\n".join(reasons), personal_data.order_values(order))
    if claim is not None:
        claims.wait(claim, text, shop_status=order.status, **kept)
    else:
        claims.settle_unclaimed(
            OrderTransfer.objects.filter(pk=transfer.pk),
            status=STATUS.WAITING,
            reason=text,
            shop_status=order.status,
            **kept,
        )
    run.rec.event(SyncEvent.Outcome.SKIPPED, order.number, reason=text)


def _transfer(run: Run, order: ShopOrder, transfer: OrderTransfer) -> None:
    customer_plan = plan_customer(order, run.rules)
    if isinstance(customer_plan, Waiting):
        return _wait(run, transfer, order, customer_plan.reasons)
    customer = customers.existing(run, customer_plan)
    plan = plan_document(order, run.inputs.context(order, customer_plan, customer))
    if isinstance(plan, Waiting):
        return _wait(run, transfer, order, plan.reasons)
    delivery, reasons = document_body.delivery_fields(order)
    if reasons:
        return _wait(run, transfer, order, reasons)

    claim = claims.claim(transfer)
    if claim is None:
        return  # another worker has it, or it was finished meanwhile
    kind = DocumentKind(run.settings.document)
    document = None
    try:
        document = _unconverted_draft(transfer) or (
            _look_up(run, order, transfer, kind) if claim.resumed else None
        )
        if document is None:
            customer = customer or customers.create(run, customer_plan)
            plan = plan_document(order, run.inputs.context(order, customer_plan, customer))
            if isinstance(plan, Waiting):
                return _wait(run, transfer, order, plan.reasons, claim)
            method = run.inputs.methods_for(order)
            doc_body = document_body.body(
                kind,
                order,
                plan,
                customer.customer_id,
                delivery,
                method.terms_of_payment_id,
                method.delivery_method_code,
            )
            document = documents.create(run.eaccounting, kind, doc_body)
            document = _settle_vat_basis(run, order, customer_plan, customer, document, delivery, kind)
        if (
            kind is DocumentKind.INVOICE
            and document.kind is DocumentKind.DRAFT
            and _totals_agree(run, order, document)
        ):
            document = documents.convert_draft(run.eaccounting, document.id)
    except OutcomeUnknown as exc:
        claims.release(claim)
        run.rec.event(
            SyncEvent.Outcome.FAILED,
            order.number,
            reason=f"{exc}: the next run looks it up before creating anything.",
        )
        return
    except EAccountingError as exc:
        if isinstance(exc, ServerError | RateLimited):
            claims.release(claim)
            raise
        kept = {}
        if document is not None:  # the draft exists; converting it failed (e.g. a locked period)
            kept = {
                "document_kind": document.kind,
                "document_id": document.id,
                "customer_id": document.customer_id,
                "document_total": document.total,
                "document_vat": document.vat,
            }
        return _wait(run, transfer, order, [_in_words(exc)], claim, **kept)
    final = plan_document(
        order, run.inputs.context(order, customer_plan, customer)
    )  # on the basis eAccounting chose
    _record(
        run,
        order,
        transfer,
        claim,
        document,
        document_body.fingerprint(order, final if not isinstance(final, Waiting) else plan),
    )


def _unconverted_draft(transfer: OrderTransfer):
    """A draft an earlier attempt made and could not convert: convert it rather than make another."""
    if transfer.document_kind != DocumentKind.DRAFT or not transfer.document_id:
        return None
    vat = transfer.document_vat or Decimal(0)
    return documents.Document(
        kind=DocumentKind.DRAFT,
        id=transfer.document_id,
        number="",
        net=(transfer.document_total or vat) - vat,
        vat=vat,
        includes_vat=False,
        your_reference="",
        customer_id=transfer.customer_id,
        raw={},
    )


def _look_up(
    run: Run, order: ShopOrder, transfer: OrderTransfer, kind: DocumentKind
) -> documents.Document | None:
    """The document a lost answer may have created: ours carries the order number and was made after we began."""
    ref = document_body.reference(order)
    since = transfer.sending_since or transfer.created_at
    kinds = (DocumentKind.INVOICE, DocumentKind.DRAFT) if kind is DocumentKind.INVOICE else (kind,)
    for k in kinds:
        found = documents.find_by_reference(run.eaccounting, k, ref, since)
        if found:
            if len(found) > 1:
                log.warning("order %s: %d documents carry its reference; taking the first", ref, len(found))
            return found[0]
    return None


def _settle_vat_basis(run, order, customer_plan, customer, document, delivery, kind):
    """eAccounting decides whether row prices include VAT (its rule for IncludesVat is not documented).

    If it decided otherwise than we assumed, the open document is sent again with prices on its
    basis, and the answer is remembered for the tenant's next orders."""
    assumed = run.inputs.includes_vat(customer.is_private)
    if document.includes_vat == assumed:
        return document
    run.inputs.learn_includes_vat(customer.is_private, document.includes_vat, f"{kind} {document.id}")
    plan = plan_document(order, run.inputs.context(order, customer_plan, customer))
    if isinstance(plan, Waiting):
        return document  # the totals check below holds it with both figures
    method = run.inputs.methods_for(order)
    doc_body = document_body.body(
        kind,
        order,
        plan,
        customer.customer_id,
        delivery,
        method.terms_of_payment_id,
        method.delivery_method_code,
    )
    return documents.replace(run.eaccounting, document, doc_body)


def _totals_agree(run: Run, order: ShopOrder, document) -> bool:
    limit = run.settings.rounding_limit
    return abs(document.total - order.total) <= limit and abs(document.vat - order.total_tax) <= limit


def _record(run: Run, order: ShopOrder, transfer: OrderTransfer, claim, document, fingerprint: str) -> None:
    agree = _totals_agree(run, order, document)
    reason = (
        ""
        if agree
        else (
            f"eAccounting's {document.kind.words} totals {_money(document.total)} {order.currency} "
            f"(VAT {_money(document.vat)}), the shop's {_money(order.total)} (VAT {_money(order.total_tax)}). "
            "Check the document in eAccounting; it was not booked."
        )
    )
    invoice = (
        {"invoice_id": document.id, "invoice_number": document.number}
        if document.kind is DocumentKind.INVOICE
        else {}
    )
    done = claims.finish(
        claim,
        status=STATUS.DONE if agree else STATUS.HELD,
        reason=reason,
        document_kind=document.kind,
        body_hash=fingerprint,
        **invoice,
        document_id=document.id,
        document_number=document.number,
        document_total=document.total,
        document_vat=document.vat,
        customer_id=document.customer_id,
        shop_total=order.total,
        shop_vat=order.total_tax,
        currency=order.currency,
        shop_status=order.status,
        transferred_at=timezone.now(),
    )
    if not done:
        return  # fenced out: the worker that took over records it (it finds this document by reference)
    outcome = SyncEvent.Outcome.CREATED if agree else SyncEvent.Outcome.SKIPPED
    run.rec.event(
        outcome,
        order.number,
        reason=reason or f"{document.kind.words} {document.number}".strip(),
        fields={"total": [str(order.total), str(document.total)]},
    )


def _write_back(run: Run) -> None:
    """The document's id and number onto the shop order (meta, in batches) and a private note each;
    also for transfers an earlier run could not write back (a shop error, a killed worker)."""
    pending = OrderTransfer.objects.filter(
        tenant=run.tenant, status__in=(STATUS.DONE, STATUS.HELD), written_back=False
    ).order_by("shop_order_id")[:WRITE_BACK_MAX]
    run.write_backs = list(pending)
    items: list[tuple[int, dict, str | None]] = []
    for t in run.write_backs:
        meta = {META_KIND: t.document_kind, META_ID: t.document_id, META_NUMBER: t.document_number}
        words = DocumentKind.words_for(t.document_kind)
        note = f"Silta: transferred to eAccounting as {words} {t.document_number}".rstrip() + "."
        if t.status == STATUS.HELD:
            note = f"Silta: {words} created in eAccounting, held: {t.reason}"
        items.append((t.shop_order_id, meta, note))
    if not items:
        return
    tried_before = [t.shop_order_id for t in run.write_backs if t.write_back_tries]
    OrderTransfer.objects.filter(pk__in=[t.pk for t in run.write_backs]).update(
        write_back_tries=F("write_back_tries") + 1
    )
    try:
        failed = set(run.shop.write_back_many(items, recheck=tried_before))
    except WebshopError as exc:
        run.rec.event(
            SyncEvent.Outcome.FAILED, "write back", reason=f"The shop did not take the references: {exc}"
        )
        return
    ok = [t.pk for t in run.write_backs if t.shop_order_id not in failed]
    OrderTransfer.objects.filter(pk__in=ok).update(written_back=True)
    for t in run.write_backs:
        if t.shop_order_id in failed:
            run.rec.event(
                SyncEvent.Outcome.FAILED,
                t.shop_order_number,
                reason="The document's number could not be written onto the shop order; the next run tries again.",
            )


def _in_words(exc: EAccountingError) -> str:
    return f"eAccounting refused the document: {exc}. Fix the cause, then Retry (or wait for the next run)."


def _money(value: Decimal) -> str:
    return f"{Decimal(value):.2f}"
