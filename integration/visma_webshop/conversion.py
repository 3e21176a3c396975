"""Visma webshop orders into paid invoices (`POST /webshoporders/{id}/convert`), each exactly once.

Opt-in: conversion makes an invoice that shows as paid and eAccounting may e-mail the customer.
Each order gets a row before any remote call, claimed like an order transfer. Before converting
(and always when resuming a claim whose answer was lost) Silta looks for the order's invoice:
an order that has one already, or that has left eAccounting's list, is recorded as converted
(by Silta when resuming its own call, else by a person) and never converted again.
"""

from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from integration.work import claim as claims
from integration.work.record import RunRecorder

from ..eaccounting import contract
from ..eaccounting.client import EAccountingClient, odata_datetime
from ..eaccounting.errors import (
    EAccountingError,
    NotFound,
    OutcomeUnknown,
    RateLimited,
    ServerError,
)
from ..eaccounting.resources import _datetime, _decimal
from ..models import (
    ContractKey,
    SyncEvent,
    SyncRun,
    Tenant,
    VismaWebshopSettings,
    WebshopOrderConversion,
)
from . import conversion_match

Outcome = WebshopOrderConversion.Outcome
STATUS = WebshopOrderConversion.Status
CENT = Decimal("0.01")
LOOKBACK = timedelta(days=1)  # order dates are the shop's local time; invoices are searched from a day before


def _parse(value) -> datetime | None:
    try:
        parsed = _datetime(value)
    except ValueError:
        return None
    return parsed if parsed is None or parsed.tzinfo else timezone.make_aware(parsed)


def _money(value) -> Decimal | None:
    return _decimal(value).quantize(CENT) if value is not None else None


def _record(tenant: Tenant, order: dict) -> WebshopOrderConversion:
    row, _ = WebshopOrderConversion.objects.get_or_create(
        tenant=tenant,
        webshop_order_id=order["Id"],
        defaults={
            "order_number": str(order.get("OrderNumber") or order.get("Number") or "")[:40],
            "order_date": _parse(order.get("OrderDate")),
            "total": _money(order.get("TotalAmountOrderCurrency")),
            "currency": (order.get("OrderCurrencyCode") or "")[:3],
            "fingerprint": conversion_match.fingerprint(order),
        },
    )
    return row


class Invoices:
    """The company's invoices since the earliest open order, read once per run, and which are spoken for."""

    def __init__(self, eaccounting: EAccountingClient, tenant: Tenant, since: datetime):
        self.eaccounting, self.since = eaccounting, since - LOOKBACK
        self._items: list[dict] | None = None
        self.claimed = set(
            WebshopOrderConversion.objects.filter(tenant=tenant)
            .exclude(invoice_id="")
            .values_list("invoice_id", flat=True)
        )

    def find(self, fingerprint: dict) -> dict | None:
        if self._items is None:
            listing = self.eaccounting.listing(
                "/customerinvoices", filter=f"CreatedUtc gt {odata_datetime(self.since)}"
            )
            self._items = list(listing)
        return conversion_match.find(fingerprint, self._items, self.claimed)

    def add(self, invoice_id: str) -> None:
        self.claimed.add(invoice_id)
        self._items = None  # a new invoice exists: read again if asked


def convert_orders(tenant: Tenant, *, trigger=SyncRun.Trigger.SCHEDULE, lease=None) -> SyncRun | None:
    """One run: new webshop orders get rows, then every open row is settled or converted."""
    settings = VismaWebshopSettings.objects.filter(tenant=tenant, convert_orders=True).first()
    if settings is None:
        return None
    eaccounting = EAccountingClient(tenant.eaccounting_connection)
    with RunRecorder(tenant, SyncRun.Kind.WEBSHOP_ORDERS, trigger) as run:
        listed = {o["Id"]: o for o in eaccounting.listing("/webshoporders", orderby=None)}
        since = settings.convert_orders_since
        for order in listed.values():
            placed = _parse(order.get("OrderDate"))
            if since and placed and placed < since:
                run.counts["placed before conversion was switched on"] += 1
                continue
            _record(tenant, order)
        now = timezone.now()
        open_rows = list(
            WebshopOrderConversion.objects.filter(tenant=tenant)
            .filter(claims.claimable(now))
            .order_by("order_date", "pk")
        )
        if not open_rows:
            return run.run
        earliest = min((r.order_date for r in open_rows if r.order_date), default=now)
        invoices = Invoices(eaccounting, tenant, earliest)
        run.progress(0, len(open_rows))
        for done, row in enumerate(open_rows, 1):
            if lease is not None:
                lease.check()
            _settle(eaccounting, run, row, listed.get(row.webshop_order_id), invoices)
            run.progress(done)
    return run.run


def _settle(
    eaccounting, run: RunRecorder, row: WebshopOrderConversion, order: dict | None, invoices: Invoices
) -> None:
    claim = claims.claim(row)
    if claim is None:
        return  # another worker has it
    number = row.order_number or row.webshop_order_id
    try:
        if order is None:
            try:
                order = eaccounting.get(f"/webshoporders/{row.webshop_order_id}")
            except NotFound:
                return _gone(run, claim, row, invoices)
        # listed, and converted orders are known to leave the list: not converted, unless our own call was lost
        stays_listed = eaccounting.contract[ContractKey.CONVERTED_ORDERS_STAY_LISTED]
        maybe_converted = claim.resumed or stays_listed is not False
        found = invoices.find(row.fingerprint) if maybe_converted else None
        if found is not None:
            invoices.add(found["Id"])
            outcome = Outcome.CONVERTED if claim.resumed else Outcome.BY_HAND
            return _done(
                run,
                claim,
                number,
                outcome,
                found["Id"],
                str(found.get("InvoiceNumber") or ""),
                "Its invoice was already there."
                if claim.resumed
                else f"Converted by a person in eAccounting (invoice {found.get('InvoiceNumber') or found['Id']}); "
                "Silta did not convert it again.",
            )
        try:
            invoice_id = eaccounting.post(f"/webshoporders/{row.webshop_order_id}/convert", None)
        except NotFound:  # converted or removed by a person since the list was read
            return _gone(run, claim, row, invoices)
        invoices.add(str(invoice_id))
        _done(
            run,
            claim,
            number,
            Outcome.CONVERTED,
            str(invoice_id),
            _invoice_number(eaccounting, invoice_id),
            "",
        )
        if stays_listed is None:
            _learn_whether_converted_orders_stay(eaccounting, row.webshop_order_id)
    except (OutcomeUnknown, ServerError, RateLimited) as exc:
        claims.release(claim)  # the next run looks the invoice up before converting again
        run.event(
            SyncEvent.Outcome.FAILED,
            number,
            reason=f"eAccounting did not answer; tried again next run: {exc}",
        )
    except EAccountingError as exc:
        reason = f"eAccounting refused the conversion: {exc}. Fix it in eAccounting, then retry the order."
        claims.wait(claim, reason)
        run.event(SyncEvent.Outcome.SKIPPED, number, reason=reason)


def _invoice_number(eaccounting, invoice_id) -> str:
    """What a person looks for in eAccounting (convert answers with the id only); "" if it cannot be read now."""
    try:
        return str(eaccounting.get(f"/customerinvoices/{invoice_id}").get("InvoiceNumber") or "")
    except EAccountingError:
        return ""


def _learn_whether_converted_orders_stay(eaccounting, converted_id: str) -> None:
    """The installation-wide contract setting the probe settles too (source "learned")."""
    try:
        eaccounting.get(f"/webshoporders/{converted_id}")
        stays = True
    except NotFound:
        stays = False
    except EAccountingError:
        return  # learnt on a later conversion
    key = ContractKey.CONVERTED_ORDERS_STAY_LISTED
    seen = "still answered" if stays else "answered 404"
    contract.learn(key, stays, f"GET /webshoporders/{converted_id} {seen} right after Silta converted it.")
    eaccounting.contract.values[key] = stays


def _gone(run, claim, row: WebshopOrderConversion, invoices: Invoices) -> None:
    """The order has left eAccounting's list: converted (by us if we were mid-call, else by a person) or removed."""
    found = invoices.find(row.fingerprint)
    number = row.order_number or row.webshop_order_id
    if found is not None:
        invoices.add(found["Id"])
        outcome = Outcome.CONVERTED if claim.resumed else Outcome.BY_HAND
        reason = (
            "" if claim.resumed else "Converted by a person in eAccounting; Silta did not convert it again."
        )
        return _done(run, claim, number, outcome, found["Id"], str(found.get("InvoiceNumber") or ""), reason)
    reason = (
        "No longer among eAccounting's webshop orders and no invoice for it was found: "
        "converted or removed there. Silta did not convert it."
    )
    _done(run, claim, number, Outcome.GONE, "", "", reason)


def _done(run, claim, number, outcome, invoice_id, invoice_number, reason) -> None:
    if claims.settle(
        claim,
        status=STATUS.DONE,
        outcome=outcome,
        invoice_id=invoice_id,
        invoice_number=invoice_number[:40],
        reason=reason,
        converted_at=timezone.now(),
    ):
        event = SyncEvent.Outcome.CREATED if outcome == Outcome.CONVERTED else SyncEvent.Outcome.SKIPPED
        run.event(event, number, reason=reason or "Converted to a paid invoice.")
