"""eAccounting's own lists a person picks from (codings, units, terms of payment, bank accounts, delivery
methods), kept per
tenant in ReferenceData and read again from eAccounting on demand, so a page never asks eAccounting and
nobody types a GUID."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from ..models import ReferenceData, Tenant
from .client import EAccountingClient
from .errors import Forbidden, NotFound
from .resources import read_field


class RefList(StrEnum):
    CODINGS = "picker.codings"
    UNITS = "picker.units"
    TERMS_OF_PAYMENT = "picker.terms_of_payment"
    BANK_ACCOUNTS = "picker.bank_accounts"
    DELIVERY_METHODS = "picker.delivery_methods"  # stored by code, not id (ShopMethod.delivery_method_code)


@dataclass(frozen=True)
class Choice:
    """One entry of a list: its eAccounting id and the words a person recognises it by."""

    id: str
    label: str
    vat_rate: Decimal | None = None  # codings
    is_service: bool = False  # codings
    code: str = ""  # units


def _is_service(coding_type: str) -> bool:
    return (coding_type or "").strip().lower().startswith("service")  # as activation's pre-flight reads it


def _codings(client: EAccountingClient) -> list[dict[str, Any]]:
    return [
        {"id": c.id, "label": c.name, "vat_rate": str(c.vat_rate_percent), "is_service": _is_service(c.type)}
        for c in client.codings()
        if c.is_active
    ]


def _units(client: EAccountingClient) -> list[dict[str, Any]]:
    return [{"id": u.id, "label": u.name or u.code, "code": u.code} for u in client.units()]


def _terms(client: EAccountingClient) -> list[dict[str, Any]]:
    return [
        {"id": read_field(t, "Id"), "label": read_field(t, "Name") or ""}
        for t in client.listing("/termsofpayments", orderby=None)
        if read_field(t, "AvailableForSales", True) is not False
    ]


def _bank_accounts(client: EAccountingClient) -> list[dict[str, Any]]:
    accounts = []
    for a in client.listing("/bankaccounts", orderby=None):
        if read_field(a, "IsActive", True) is False:
            continue
        name, number = (  # BankAccountApi has no account number field but its IBAN and BBAN
            read_field(a, "Name") or "",
            read_field(a, "Iban") or read_field(a, "Bban") or "",
        )
        accounts.append(
            {"id": read_field(a, "Id"), "label": f"{name} ({number})" if number and name else name or number}
        )
    return accounts


def _delivery_methods(client: EAccountingClient) -> list[dict[str, Any]]:
    return [
        {"id": read_field(d, "Code"), "label": f"{read_field(d, 'Name') or ''} ({read_field(d, 'Code')})"}
        for d in client.listing("/deliverymethods", orderby=None)
        if read_field(d, "Code")
    ]


FETCH = {
    RefList.CODINGS: _codings,
    RefList.UNITS: _units,
    RefList.TERMS_OF_PAYMENT: _terms,
    RefList.BANK_ACCOUNTS: _bank_accounts,
    RefList.DELIVERY_METHODS: _delivery_methods,
}


def refresh(
    tenant: Tenant, client: EAccountingClient | None = None, lists: tuple[RefList, ...] = tuple(RefList)
) -> None:
    """Reads the lists from eAccounting again (one or two requests each). A list eAccounting does not offer
    this company (404) is kept empty."""
    client = client or EAccountingClient(tenant.eaccounting_connection)
    for ref in lists:
        try:
            items = FETCH[ref](client)
        except NotFound:
            items = []
        except Forbidden:  # a scope the connection was not granted (bank accounts: ea:purchase_readonly,
            items = []  # asked for since; reconnecting grants it): the other lists still come
        ReferenceData.objects.update_or_create(
            tenant=tenant, name=ref.value, defaults={"data": {"items": items}}
        )


def choices(tenant: Tenant, ref: RefList) -> list[Choice]:
    """The list as last read (empty before the first read), sorted by its label."""
    row = ReferenceData.objects.filter(tenant=tenant, name=ref.value).values_list("data", flat=True).first()
    items = (row or {}).get("items", [])
    return sorted(
        (
            Choice(
                i["id"],
                i["label"],
                Decimal(i["vat_rate"]) if "vat_rate" in i else None,
                i.get("is_service", False),
                i.get("code", ""),
            )
            for i in items
        ),
        key=lambda c: (c.vat_rate is None, -(c.vat_rate or 0), c.label.lower()),
    )


def read_at(tenant: Tenant) -> datetime | None:
    """When the lists were last read from eAccounting (None: never)."""
    return (
        ReferenceData.objects.filter(tenant=tenant, name__startswith="picker.")
        .order_by("fetched_at")
        .values_list("fetched_at", flat=True)
        .first()
    )
