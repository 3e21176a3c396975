"""A transferred order's life in eAccounting: invoicing, payment, cancellation, refunds, changes.

Each of these is an OrderStep, claimed and finished like the transfer itself (claim.py), so
each happens once even when an answer is lost or a worker dies: a resumed step looks in
eAccounting first (is the order invoiced, the invoice paid or credited, the credit there?).
Silta never sends anything to the customer: invoices stay in eAccounting for the tenant to send.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from integration.privacy import personal_data
from integration.work import claim as claims

from ..eaccounting import documents
from ..eaccounting.documents import DocumentKind
from ..eaccounting.errors import EAccountingError, OutcomeUnknown, RateLimited, ServerError
from ..models import OrderEventKind, OrderStep, OrderTransfer, SyncEvent
from ..webshops.base import ShopOrder
from . import document_body, events
from .context import article_ref, refund_articles
from .credit_plan import CreditContext, credit_body, credit_reference, plan_credit, rows_by_line_id
from .document_plan import DocumentPlan
from .outcomes import Waiting, WaitReason, reason
from .planning import OrderPlan

CANCELLED = ("cancelled", "failed")
HELSINKI = ZoneInfo("Europe/Helsinki")
STEP = OrderStep.Status
KIND = OrderStep.Kind
STEP_EVENTS = {
    KIND.INVOICE: OrderEventKind.INVOICED,
    KIND.PAYMENT: OrderEventKind.PAID,
    KIND.CANCEL: OrderEventKind.CANCELLED,
    KIND.REFUND: OrderEventKind.REFUNDED,
    KIND.UPDATE: OrderEventKind.CHANGED,
}


class StepWaits(Exception):
    """The step cannot be done yet; the message says what a person can do (``why``: as codes, when known)."""

    def __init__(self, message: str, why: tuple = ()):
        super().__init__(message)
        self.why = why


@dataclass(frozen=True)
class Done:
    document_id: str = ""
    document_number: str = ""
    amount: Decimal | None = None
    note: str = ""
    transfer: dict = field(
        default_factory=dict
    )  # what the step changes on its OrderTransfer, saved with the step


def follow(run, order: ShopOrder, transfer: OrderTransfer, planned: OrderPlan | None = None) -> None:
    """Everything the shop order's present state asks of its eAccounting documents.

    `planned`: the order's plans of this run (the transfer's, when it was transferred just now); a
    transferred order is planned again only when its shop input changed, or a refund needs its rows."""
    planned = planned or OrderPlan.of(run, order)
    if order.status in CANCELLED or (
        order.status == "refunded"
        and not transfer.invoice_id
        and transfer.document_kind != DocumentKind.INVOICE
    ):
        # refunded in full before it was invoiced: nothing was sold, the order is removed like a cancelled one
        _step(run, transfer, order, KIND.CANCEL, "", lambda resumed: _cancel(run, transfer, resumed))
        return
    unfinished = _unfinished(
        transfer
    )  # resumed even when the transfer shows them done (an older version's kill)
    if _changed(run, order, transfer, planned, unfinished):
        _step(
            run,
            transfer,
            order,
            KIND.UPDATE,
            planned.input_fingerprint,
            lambda resumed: _update(run, order, transfer, planned),
        )
    invoice_due = not transfer.invoice_id or (KIND.INVOICE, "") in unfinished
    if invoice_due and order.status in run.settings.invoice_status_list:
        _step(run, transfer, order, KIND.INVOICE, "", lambda resumed: _invoice(run, order, transfer, resumed))
    method = run.inputs.payment_method(order)
    if transfer.invoice_id and method is not None and method.prepaid and order.date_paid_gmt:
        _step(run, transfer, order, KIND.PAYMENT, "", lambda resumed: _pay(run, order, transfer, method))
    for refund_id in _refund_ids(order):
        _step(
            run,
            transfer,
            order,
            KIND.REFUND,
            str(refund_id),
            lambda resumed, rid=refund_id: _refund(run, order, transfer, rid, resumed, planned),
        )


def _changed(run, order: ShopOrder, transfer: OrderTransfer, planned: OrderPlan, unfinished) -> bool:
    """Has the shop order changed since its document was made? Compared by the shop's input, so a new
    version of Silta's planning rules alone is no change; the order is planned again only when its input
    differs, and then a change that plans into the same document (same rules) is no change either."""
    now = planned.input_fingerprint
    if (KIND.UPDATE, now) in unfinished:
        return True  # an update begun (or waiting) for exactly this input
    if transfer.input_hash == now:
        return False
    if not transfer.input_hash:
        # Transferred before input fingerprints were kept. Its document fingerprint may come from older rules,
        # so it is not compared: the shop's total and VAT as recorded at the transfer decide, and an order whose
        # figures are unchanged gets its input fingerprint recorded now (docs/architecture.md, *Changed orders*).
        if transfer.shop_total is not None and (
            transfer.shop_total != order.total or transfer.shop_vat != order.total_tax
        ):
            return True
        return not _remember_input(transfer, now)
    if transfer.plan_version == planned.version and transfer.body_hash:
        plan = _plan(run, order, transfer, planned)
        if plan is not None and planned.document_fingerprint(plan) == transfer.body_hash:
            return not _remember_input(transfer, now)  # e.g. a billing field the document does not show
    return True


def _remember_input(transfer: OrderTransfer, fingerprint: str) -> bool:
    OrderTransfer.objects.filter(pk=transfer.pk).update(input_hash=fingerprint)
    transfer.input_hash = fingerprint
    return True


def _unfinished(transfer: OrderTransfer) -> set[tuple[str, str]]:
    open_ = (STEP.PENDING, STEP.WAITING, STEP.SENDING)
    return set(OrderStep.objects.filter(transfer=transfer, status__in=open_).values_list("kind", "key"))


def _refund_ids(order: ShopOrder) -> list[int]:
    """Refund ids as the order lists them, oldest first."""
    return sorted(r.id for r in order.refunds)


def _step(run, transfer, order, kind, key, action) -> None:
    step, _ = OrderStep.objects.get_or_create(
        transfer=transfer, kind=kind, key=key, defaults={"tenant": run.tenant}
    )
    if step.status in (STEP.DONE, STEP.HELD, STEP.SKIPPED):
        return
    claim = claims.claim(step)
    if claim is None:
        return
    label = f"{order.number}: {step.get_kind_display().lower()}"
    try:
        done = action(claim.resumed)
    except StepWaits as wait:
        codes = personal_data.redact_json([r.as_json() for r in wait.why], personal_data.order_values(order))
        _step_waits(run, transfer, step, claim, str(wait), codes)
        run.rec.event(SyncEvent.Outcome.SKIPPED, label, reason=str(wait))
        return
    except _Held as held:
        with transaction.atomic():
            if claims.finish(claim, status=STEP.HELD, reason=str(held)):
                events.record(
                    transfer, events.Kind.HELD, run.rec.run, step=step.kind, key=key, reasons=[str(held)]
                )
        run.rec.event(SyncEvent.Outcome.SKIPPED, label, reason=str(held))
        return
    except (OutcomeUnknown, ServerError, RateLimited) as exc:
        claims.release(claim)
        run.rec.event(
            SyncEvent.Outcome.FAILED, label, reason=f"{exc}: the next run looks first, then tries again."
        )
        return
    except EAccountingError as exc:
        text = personal_data.redact(
            f"eAccounting refused it: {exc}. Fix the cause; the next run tries again.",
            personal_data.order_values(order),
        )  # it may quote the customer's data
        refused = personal_data.redact_json(
            [reason(WaitReason.EACCOUNTING_REFUSED, error=exc).as_json()],
            personal_data.order_values(order),
        )
        _step_waits(run, transfer, step, claim, text, refused)
        run.rec.event(SyncEvent.Outcome.SKIPPED, label, reason=text)
        return
    with transaction.atomic():  # both or neither: a worker killed in between leaves the step to be resumed
        finished = claims.finish(
            claim,
            status=STEP.DONE,
            reason=done.note,
            reason_codes=[],
            document_id=done.document_id,
            document_number=done.document_number,
            amount=done.amount,
        )
        if finished is not None:
            if done.transfer:
                OrderTransfer.objects.filter(pk=transfer.pk).update(**done.transfer)
                for name, value in done.transfer.items():  # the caller's copy, as written (no re-read)
                    setattr(transfer, name, value)
            events.record(
                transfer,
                STEP_EVENTS[KIND(step.kind)],
                run.rec.run,
                **({"refund": key} if step.kind == KIND.REFUND else {}),
                document_number=done.document_number,
                amount=done.amount,
            )
    run.rec.event(SyncEvent.Outcome.UPDATED, label, reason=done.note or done.document_number)


def _step_waits(
    run, transfer: OrderTransfer, step: OrderStep, claim, reason: str, codes: list | None = None
) -> None:
    """The step waits for a person: an event only when it did not wait for this very reason already."""
    news = step.status != STEP.WAITING or step.reason != reason
    with transaction.atomic():
        if claims.wait(claim, reason, reason_codes=codes or []) and news:
            events.record(
                transfer,
                events.Kind.WAITING,
                run.rec.run,
                step=step.kind,
                reasons=events.reasons(reason),
                codes=codes,
            )


class _Held(Exception):
    """Done as far as Silta may go: a person decides the rest (e.g. a change to an invoiced order)."""


# --- the steps -------------------------------------------------------------------------------
def _invoice(run, order, transfer, resumed) -> Done:
    if transfer.invoice_id:  # invoiced, and recorded on the transfer before the step
        return Done(transfer.invoice_id, transfer.invoice_number, None, f"invoice {transfer.invoice_number}")
    client, ref = run.eaccounting, document_body.reference(order)
    invoice = None
    if resumed:  # a lost answer: is there an invoice with our reference already?
        found = documents.find_by_reference(client, DocumentKind.INVOICE, ref, transfer.created_at)
        invoice = next((d for d in found if not d.is_credit), None)
    if invoice is None:
        if transfer.document_kind == DocumentKind.ORDER:
            invoice = documents.convert_order(client, transfer.document_id)
        elif transfer.document_kind == DocumentKind.DRAFT:
            invoice = documents.convert_draft(client, transfer.document_id)
        else:
            raise _Held(f"The order was transferred as {transfer.document_kind}: nothing to invoice.")
    return Done(
        invoice.id,
        invoice.number,
        invoice.total,
        f"invoice {invoice.number} (not sent by Silta)",
        transfer={"invoice_id": invoice.id, "invoice_number": invoice.number},
    )


def _pay(run, order, transfer, method) -> Done:
    client = run.eaccounting
    invoice = documents.get(client, DocumentKind.INVOICE, transfer.invoice_id)
    if documents.remaining(invoice) <= 0:  # paid already (by us before a lost answer, or by hand)
        return Done(invoice.id, invoice.number, None, "already paid in eAccounting")
    if not method.bank_account_id:
        why = reason(
            WaitReason.PAYMENT_NO_BANK_ACCOUNT, method=method.title or method.key, payment=method.key
        )
        raise StepWaits(why.english(), (why,))
    amount = documents.remaining(invoice)
    paid = order.date_paid_gmt or order.date_created_gmt
    body = {
        "PaymentAmount": float(amount),
        "PaymentCurrency": order.currency,
        "PaymentType": 2,
        "CompanyBankAccountId": method.bank_account_id,
        "Reference": document_body.reference(order)[:100],
        "PaymentDate": helsinki_day(paid).isoformat(),
    }
    documents.register_payment(client, invoice.id, body)
    return Done(invoice.id, invoice.number, amount, f"payment {amount} {order.currency} registered")


def helsinki_day(when) -> date:
    """The day in Finland, so a month-end payment or refund lands in the right VAT period."""
    return (when or timezone.now()).astimezone(HELSINKI).date()


def _cancel(run, transfer, resumed) -> Done:
    client = run.eaccounting
    if not transfer.invoice_id and transfer.document_kind in (DocumentKind.ORDER, DocumentKind.DRAFT):
        gone = not documents.delete(client, DocumentKind(transfer.document_kind), transfer.document_id)
        return Done(
            transfer.document_id,
            transfer.document_number,
            None,
            f"{transfer.document_kind} removed" + (" (it was gone already)" if gone else ""),
        )
    invoice_id = transfer.invoice_id or transfer.document_id
    invoice = documents.get(client, DocumentKind.INVOICE, invoice_id)
    credit = documents.credited_by(invoice)
    if not credit:
        documents.void_invoice(client, invoice_id)
        credit = documents.credited_by(documents.get(client, DocumentKind.INVOICE, invoice_id))
    return Done(credit, "", invoice.total, "the invoice was credited in full (stock put back)")


def _refund(run, order, transfer, refund_id, resumed, planned: OrderPlan) -> Done:
    if not transfer.invoice_id and transfer.document_kind != DocumentKind.INVOICE:
        why = reason(WaitReason.REFUND_ORDER_NOT_INVOICED, refund=refund_id)
        raise StepWaits(why.english(), (why,))
    client = run.eaccounting
    reference = credit_reference(order.number, refund_id)
    if resumed:
        found = documents.find_by_reference(client, DocumentKind.INVOICE, reference, transfer.created_at)
        if found:
            return Done(found[0].id, found[0].number, -found[0].total, f"credit invoice {found[0].number}")
    refund = next((r for r in run.shop.refunds(order.id) if r.id == refund_id), None)
    if refund is None:
        raise _Held("The refund is no longer in the shop.")
    customer = planned.accounting_customer(transfer.customer_id)
    plan = _plan(run, order, transfer, planned)
    if plan is None or customer is None:
        raise StepWaits(
            "The order cannot be planned again (see the order's own reason); the refund waits.",
            _why_unplanned(transfer, planned),
        )
    customer_plan = planned.customer
    ctx = CreditContext(
        includes_vat=run.inputs.includes_vat(customer.is_private),
        vat_mode=customer_plan.vat_mode if not isinstance(customer_plan, Waiting) else "domestic",
        order_lines=rows_by_line_id(order, plan),
        tax_rate_percent=run.inputs.tax_rates,
        refund_articles=refund_articles(run.settings),
        rounding_article=article_ref(run.settings.rounding_article),
        rounding_limit=run.settings.rounding_limit,
        currency=order.currency,
        sale_rows=plan.rows,
        vat_tolerance=run.settings.vat_tolerance,
    )
    credit = plan_credit(refund, ctx)
    if isinstance(credit, Waiting):
        raise StepWaits("\n".join(credit.reasons), credit.why)
    if not credit.rows:
        return Done("", "", credit.total, f"refund {refund_id} credits nothing")
    day = helsinki_day(refund.date_created_gmt)
    document = documents.create_invoice(
        client, credit_body(refund, credit, customer.customer_id, order.number, day)
    )
    return Done(
        document.id, document.number, credit.total, f"credit invoice {document.number} for refund {refund_id}"
    )


def _update(run, order, transfer, planned: OrderPlan) -> Done:
    plan = _plan(run, order, transfer, planned)
    if plan is None:
        raise StepWaits(
            "The changed order cannot be planned (see the order's reason).", _why_unplanned(transfer, planned)
        )
    if transfer.invoice_id or transfer.document_kind == DocumentKind.INVOICE:
        raise _Held(
            "The order changed in the shop after it was invoiced in eAccounting: "
            f"{_difference(run, transfer, plan)}. Correct it in eAccounting (e.g. a credit invoice)."
        )
    delivery, reasons = document_body.delivery_fields(order)
    if reasons:
        raise StepWaits("\n".join(r.english() for r in reasons), tuple(reasons))
    method = run.inputs.methods_for(order)
    kind = DocumentKind(transfer.document_kind)
    body = document_body.body(
        kind,
        order,
        plan,
        transfer.customer_id,
        delivery,
        method.terms_of_payment_id,
        method.delivery_method_code,
    )
    current = documents.get(run.eaccounting, kind, transfer.document_id)
    if kind is DocumentKind.ORDER and not current.is_open_order:
        raise _Held(
            f"The order changed in the shop, but eAccounting's order is no longer open: "
            f"{_difference(run, transfer, plan)}."
        )
    updated = documents.replace(run.eaccounting, current, body)
    return Done(
        updated.id,
        updated.number,
        updated.total,
        f"order updated: total {updated.total}",
        transfer={
            "body_hash": planned.document_fingerprint(plan),
            "input_hash": planned.input_fingerprint,
            "plan_version": planned.version,
            "document_total": updated.total,
            "document_vat": updated.vat,
        },
    )


def _difference(run, transfer, plan) -> str:
    return f"eAccounting's document totals {transfer.document_total}, the changed shop order {plan.total}"


def _why_unplanned(transfer, planned: OrderPlan) -> tuple:
    """Why the transferred order cannot be planned now (e.g. a template article removed since): the re-plan's own
    reasons, which the step then shows with their fixes."""
    customer = planned.accounting_customer(transfer.customer_id)
    plan = planned.document(customer) if customer is not None else None
    return plan.why if isinstance(plan, Waiting) else ()


def _plan(run, order, transfer, planned: OrderPlan) -> DocumentPlan | None:
    """The transferred order's document plan (made once per run), None when it cannot be planned."""
    plan = planned.document(planned.accounting_customer(transfer.customer_id))
    return None if isinstance(plan, Waiting) else plan
