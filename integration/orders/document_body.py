"""The eAccounting document body for a planned order (pure): header fields around the rows."""

import hashlib
import json

from ..eaccounting.documents import DocumentKind
from ..webshops.base import ShopOrder
from .document_plan import DocumentPlan, document_date, order_rows_body
from .outcomes import Reason, WaitReason, reason

# Draft rows have no EligibleForReverseChargeOnVat but require ReversedConstructionServicesVatFree.
DRAFT_ROW_DROP = ("EligibleForReverseChargeOnVat",)
LIMITS = {
    "DeliveryCustomerName": 100,
    "DeliveryAddress1": 50,
    "DeliveryAddress2": 50,
    "DeliveryCity": 50,
    "DeliveryPostalCode": 10,
    "DeliveryCountryCode": 2,
}


def reference(order: ShopOrder) -> str:
    """What goes in YourReference: the shop's order number, by which a lost create is found again."""
    return order.number or str(order.id)


def delivery_fields(order: ShopOrder) -> tuple[dict, list[Reason]]:
    """The shipping address as document fields, and a reason for each value too long to keep."""
    a = order.shipping
    if not (a.address_1 or a.city or a.postcode):
        return {}, []
    name = " ".join(p for p in (a.company, " ".join(x for x in (a.first_name, a.last_name) if x)) if p)
    values = {
        "DeliveryCustomerName": name,
        "DeliveryAddress1": a.address_1,
        "DeliveryAddress2": a.address_2,
        "DeliveryCity": a.city,
        "DeliveryPostalCode": a.postcode,
        "DeliveryCountryCode": a.country,
    }
    fields, reasons = {}, []
    for key, value in values.items():
        value = " ".join((value or "").split())
        if len(value) > LIMITS[key]:
            reasons.append(
                reason(
                    WaitReason.FIELD_TOO_LONG,
                    field=key,
                    length=len(value),
                    limit=LIMITS[key],
                    where="shop_order",
                )
            )
        fields[key] = value or None
    return fields, reasons


def body(
    kind: DocumentKind,
    order: ShopOrder,
    plan: DocumentPlan,
    customer_id: str,
    delivery: dict,
    terms_of_payment_id: str = "",
    delivery_method_code: str = "",
) -> dict:
    """An OrderApi body (kind "order") or CustomerInvoiceDraftApi body ("draft", "invoice")."""
    ref = reference(order)
    common = {
        "CustomerId": customer_id,
        "EuThirdParty": False,
        "RotReducedInvoicingType": 0,
        "YourReference": ref,
        "BuyersOrderReference": ref[:35],
        **delivery,
    }
    if terms_of_payment_id:
        common["TermsOfPaymentId"] = terms_of_payment_id
    if delivery_method_code:
        common["DeliveryMethodCode"] = delivery_method_code[:20]
    rows = order_rows_body(plan)
    day = document_date(order).isoformat()
    if kind is DocumentKind.ORDER:
        return {
            **common,
            "CurrencyCode": order.currency,
            "Status": 2,
            "ReverseChargeOnConstructionServices": False,
            "OrderDate": day,
            "Rows": rows,
        }
    draft_rows = [
        {
            **{k: v for k, v in r.items() if k not in DRAFT_ROW_DROP},
            "ReversedConstructionServicesVatFree": False,
        }
        for r in rows
    ]
    return {**common, "InvoiceDate": day, "Rows": draft_rows}


def fingerprint(order: ShopOrder, plan: DocumentPlan) -> str:
    """What the document says, as a short hash: a changed shop order gives another one."""
    rows = [(r.article.id, str(r.quantity), str(r.unit_price), str(r.discount)) for r in plan.rows]
    delivery, _ = delivery_fields(order)
    return hashlib.sha256(json.dumps([rows, sorted(delivery.items())], default=str).encode()).hexdigest()[:32]
