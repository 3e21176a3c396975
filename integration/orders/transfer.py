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
from django.db import transaction
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
from . import customers, document_body, events, lifecycle, reference
from .context import PlanInputs
from .customer_plan import CustomerRules
from .document_plan import snapshot
from .outcomes import Reason, Waiting, WaitReason, reason
from .planning import OrderPlan

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
    asked: bool = False  # a person asked for these orders (Retry): what their reasons name is read again


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
        needed: set[int] | None = None  # the tax rates the run's orders name (a one-order run: only those)
        if order_ids is not None:
            fetched = _fetch_by_id(shop, [int(i) for i in order_ids], rec)
            orders, needed = iter(fetched), _rate_ids(fetched)
        else:  # every status: a transferred order's later life (completed, cancelled, refunded) is followed too
            orders = iter(
                shop.orders(modified_after=cursor.value - overlap() if cursor else settings.transfer_from)
            )
        first = next(orders, None)
        if first is None and (order_ids is not None or not _anything_open(tenant)):
            _advance(tenant, started, order_ids)
            return rec.run  # nothing new, nothing waiting: eAccounting's shared budget is not touched
        run = _start(tenant, settings, eaccounting, shop, rec, lease, needed)
        run.asked = order_ids is not None and trigger == SyncRun.Trigger.MANUAL
        seen: set[int] = set()
        for order in itertools.chain([first], orders) if first is not None else ():
            seen.add(order.id)
            _consider(run, order)
            if len(seen) % 20 == 0:
                rec.progress(len(seen))
        _advance(tenant, started, order_ids)
        if order_ids is None:  # a webhook's run is about its orders: the others wait for the next poll
            _retry_open(run, seen)
        _write_back(run, None if order_ids is None else seen)
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


def _start(tenant, settings, eaccounting, shop, rec, lease, needed: set[int] | None = None) -> Run:
    company = reference.company(tenant, eaccounting)
    # the admin's customer pick lists show the copy: kept within hours here; within minutes before a
    # customer is created (customers.create), so a known buyer's order reads nothing but its document
    reference.refresh_customers(tenant, eaccounting, reference.CUSTOMER_LIST_MAX_AGE)
    rules = customers.rules(settings, company)
    inputs = PlanInputs.load(tenant, settings, company, reference.tax_rates(tenant, shop, needed=needed))
    return Run(tenant, settings, eaccounting, shop, company, rules, inputs, rec, lease)


def _rate_ids(orders: list[ShopOrder]) -> set[int]:
    """The shop tax rates these orders name (their lines', shipping's, fees' and tax lines')."""
    ids = {t.rate_id for o in orders for t in o.tax_totals}
    for o in orders:
        ids |= {t.rate_id for line in o.line_items for t in line.taxes}
        ids |= {t.rate_id for line in o.shipping_lines for t in line.taxes}
        ids |= {t.rate_id for line in o.fee_lines for t in line.taxes}
    return ids


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
    with transaction.atomic():
        transfer, created = OrderTransfer.objects.get_or_create(
            tenant=run.tenant,
            shop_order_id=order.id,
            defaults={"shop_order_number": order.number[:40], "status": STATUS.PENDING},
        )
        if created:
            events.record(transfer, events.Kind.RECEIVED, run.rec.run)
    if transfer.status in (STATUS.DONE, STATUS.HELD, STATUS.SKIPPED):
        return
    reference.remember_methods(run.tenant, order, run.inputs.methods)
    planned = OrderPlan.of(run, order)
    try:
        finished = _transfer(run, order, transfer, planned)
    except (ServerError, RateLimited) as exc:
        run.rec.event(
            SyncEvent.Outcome.FAILED, order.number, reason=f"eAccounting is not answering now: {exc}"
        )
        return
    if finished is not None and finished.status == STATUS.DONE:
        # e.g. an order completed (or paid) at checkout: invoice it now, with the plan made for the transfer
        finished.apply(transfer)
        lifecycle.follow(run, order, transfer, planned)


def _wait(
    run: Run,
    transfer: OrderTransfer,
    order: ShopOrder,
    reasons: tuple[Reason, ...] | list[Reason],
    claim=None,
    plan=None,
    **kept,
) -> None:
    # a refusal may quote the customer's data back: the reason names the order, not the person
    personal = personal_data.order_values(order)
    text = personal_data.redact("\n".join(r.english() for r in reasons), personal)
    codes = personal_data.redact_json([r.as_json() for r in reasons], personal)
    # the codes and parameters the order's page renders in the reader's language; the shop's figures are shown
    # beside them (a waiting order has no document yet)
    kept |= {
        "reason_codes": codes,
        "shop_total": order.total,
        "shop_vat": order.total_tax,
        "currency": order.currency,
        "shop_status": order.status,
    }
    if plan is not None:  # what is known of the plan, for the order's page
        kept["plan"] = snapshot(order, plan, run.inputs.tax_rates)
    news = transfer.status != STATUS.WAITING or transfer.reason != text  # one event per change, not per poll
    with transaction.atomic():
        if claim is not None:
            written = claims.wait(claim, text, **kept) is not None
        else:  # planned without a claim: this try still counts as an attempt
            written = bool(
                claims.settle_unclaimed(
                    OrderTransfer.objects.filter(pk=transfer.pk),
                    status=STATUS.WAITING,
                    reason=text,
                    attempts=F("attempts") + 1,
                    **kept,
                )
            )
        if written and news:
            events.record(
                transfer, events.Kind.WAITING, run.rec.run, reasons=events.reasons(text), codes=codes
            )
    run.rec.event(SyncEvent.Outcome.SKIPPED, order.number, reason=text)


def _transfer(
    run: Run, order: ShopOrder, transfer: OrderTransfer, planned: OrderPlan
) -> claims.Finished | None:
    """The order's document in eAccounting, planned once (`planned`); what was recorded, if anything."""
    customer_plan = planned.customer
    if isinstance(customer_plan, Waiting):
        _wait(run, transfer, order, customer_plan.why)
        return None
    customer = customers.existing(run, customer_plan)
    plan = planned.document(customer)
    if isinstance(plan, Waiting) and _made_since(run, plan):
        planned.forget_documents()  # what the reasons named was read again: plan on the fresh copies
        plan = planned.document(customer)
    if isinstance(plan, Waiting):
        _wait(run, transfer, order, plan.why, plan=plan)
        return None
    delivery, reasons = document_body.delivery_fields(order)
    if reasons:
        _wait(run, transfer, order, reasons, plan=plan)
        return None

    with transaction.atomic():
        claim = claims.claim(transfer)
        if claim is None:
            return None  # another worker has it, or it was finished meanwhile
        if not events.happened(transfer, events.Kind.PLANNED):  # once: a refused one tried again is not news
            events.record(transfer, events.Kind.PLANNED, run.rec.run, rows=len(plan.rows), total=plan.total)
    kind = DocumentKind(run.settings.document)
    document = None
    try:
        document = _unconverted_draft(transfer) or (
            _look_up(run, order, transfer, kind) if claim.resumed else None
        )
        if document is None:
            customer = customer or customers.create(run, customer_plan)
            plan = planned.document(customer)  # the same plan unless the new customer's VAT basis differs
            if isinstance(plan, Waiting):
                _wait(run, transfer, order, plan.why, claim, plan=plan)
                return None
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
            document = _settle_vat_basis(run, order, planned, customer, document, delivery, kind)
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
        return None
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
        _wait(run, transfer, order, [_in_words(exc)], claim, plan=plan, **kept)
        return None
    final = planned.document(
        customer
    )  # on the basis eAccounting chose: made already, unless the document was found
    return _record(
        run, order, transfer, claim, document, planned, final if not isinstance(final, Waiting) else plan
    )


def _made_since(run: Run, plan: Waiting) -> bool:
    """On a person's Retry: what the reasons name is read again, so the local copies are not a step behind the
    fix the advice asked for (make the article or correct its VAT in eAccounting; a new tax rate in the shop).
    True when something was read again. A scheduled run does not pay for this."""
    if not run.asked:
        return False
    numbers = {r.params["sku"] for r in plan.why if r.code is WaitReason.NO_ARTICLE_FOR_SKU}
    numbers |= {r.params["article"] for r in plan.why if r.code is WaitReason.ARTICLE_VAT_DIFFERS}
    found = bool(numbers) and reference.refresh_articles(run.tenant, run.eaccounting, numbers) > 0
    if any(r.code is WaitReason.UNKNOWN_TAX_RATE for r in plan.why):
        run.inputs.tax_rates = reference.tax_rates(run.tenant, run.shop, max_age=timedelta(0))
        found = True
    return found


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


def _settle_vat_basis(run, order, planned: OrderPlan, customer, document, delivery, kind):
    """eAccounting decides whether row prices include VAT (its rule for IncludesVat is not documented).

    If it decided otherwise than we assumed, the open document is sent again with prices on its
    basis, and the answer is remembered for the tenant's next orders."""
    assumed = run.inputs.includes_vat(customer.is_private)
    if document.includes_vat == assumed:
        return document
    run.inputs.learn_includes_vat(customer.is_private, document.includes_vat, f"{kind} {document.id}")
    plan = planned.document(customer)  # another basis: another document, planned once
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


def _record(
    run: Run, order: ShopOrder, transfer: OrderTransfer, claim, document, planned: OrderPlan, plan
) -> claims.Finished | None:
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
    with transaction.atomic():
        done = claims.finish(
            claim,
            status=STATUS.DONE if agree else STATUS.HELD,
            reason=reason,
            reason_codes=[],
            plan=snapshot(order, plan, run.inputs.tax_rates),
            document_kind=document.kind,
            body_hash=planned.document_fingerprint(plan),
            input_hash=planned.input_fingerprint,
            plan_version=planned.version,
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
        if done is None:
            return (
                None  # fenced out: the worker that took over records it (it finds this document by reference)
            )
        said = {
            "document_kind": str(document.kind),
            "document_number": document.number,
            "total": document.total,
        }
        if agree:
            events.record(transfer, events.Kind.TRANSFERRED, run.rec.run, **said)
        else:
            events.record(transfer, events.Kind.HELD, run.rec.run, reasons=[reason], **said)
    outcome = SyncEvent.Outcome.CREATED if agree else SyncEvent.Outcome.SKIPPED
    run.rec.event(
        outcome,
        order.number,
        reason=reason or f"{document.kind.words} {document.number}".strip(),
        fields={"total": [str(order.total), str(document.total)]},
    )
    return done


def _write_back(run: Run, only: set[int] | None = None) -> None:
    """The document's id and number onto the shop order (meta, in batches) and a private note each;
    also for transfers an earlier run could not write back (a shop error, a killed worker), unless the
    run is about `only` these shop orders (a webhook's)."""
    pending = OrderTransfer.objects.filter(
        tenant=run.tenant, status__in=(STATUS.DONE, STATUS.HELD), written_back=False
    )
    if only is not None:
        pending = pending.filter(shop_order_id__in=only)
    pending = pending.order_by("shop_order_id")[:WRITE_BACK_MAX]
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


def _in_words(exc: EAccountingError) -> Reason:
    return reason(WaitReason.EACCOUNTING_REFUSED, error=exc)


def _money(value: Decimal) -> str:
    return f"{Decimal(value):.2f}"
