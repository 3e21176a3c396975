"""Typed views of the eAccounting resources Silta uses, with Decimal money.

Each keeps the `raw` object as read, because PUT is a full replace: an update
sends the raw object back with only the intended fields changed.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.utils.dateparse import parse_datetime


def _get(data, name, default=None):
    """Case-insensitive field access: Visma once served camelCase (docs/eaccounting-unknowns.md)."""
    if name in data:
        return data[name]
    lowered = name.lower()
    for key, value in data.items():
        if key.lower() == lowered:
            return value
    return default


def _decimal(value) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal("0")


def _datetime(value) -> datetime | None:
    return parse_datetime(value) if value else None


def vat_percent(value, vat_format: str = "auto") -> Decimal:
    """VatRatePercent may come as 25.5 or as 0.255 (undocumented; docs/eaccounting-unknowns.md): always return percent.
    `vat_format` is the contract's finding ("percent" or "fraction"); "auto" guesses: below 1 is a
    fraction (wrong for a rate under 1 %, hence the probe)."""
    rate = _decimal(value)
    if vat_format == "fraction":
        return rate * 100
    if vat_format == "percent":
        return rate
    return rate * 100 if 0 < rate < 1 else rate


@dataclass
class PageMeta:
    current_page: int
    page_size: int
    total_pages: int
    total_results: int
    server_time: datetime

    @classmethod
    def from_api(cls, data):
        return cls(
            current_page=_get(data, "CurrentPage"), page_size=_get(data, "PageSize"),
            total_pages=_get(data, "TotalNumberOfPages"), total_results=_get(data, "TotalNumberOfResults"),
            server_time=_datetime(_get(data, "ServerTimeUtc")),
        )


@dataclass
class Article:
    id: str
    number: str
    name: str
    unit_id: str
    coding_id: str
    net_price: Decimal
    gross_price: Decimal
    is_active: bool
    is_stock: bool
    stock_balance: Decimal
    stock_reserved: Decimal
    stock_available: Decimal
    send_to_webshop: bool
    changed_utc: datetime | None
    raw: dict = field(repr=False)

    @classmethod
    def from_api(cls, data):
        return cls(
            id=_get(data, "Id"), number=_get(data, "Number"), name=_get(data, "Name"),
            unit_id=_get(data, "UnitId"), coding_id=_get(data, "CodingId"),
            net_price=_decimal(_get(data, "NetPrice")), gross_price=_decimal(_get(data, "GrossPrice")),
            is_active=bool(_get(data, "IsActive")), is_stock=bool(_get(data, "IsStock")),
            stock_balance=_decimal(_get(data, "StockBalance")),
            stock_reserved=_decimal(_get(data, "StockBalanceReserved")),
            stock_available=_decimal(_get(data, "StockBalanceAvailable")),
            send_to_webshop=bool(_get(data, "SendToWebshop", True)),
            changed_utc=_datetime(_get(data, "ChangedUtc")), raw=data,
        )


@dataclass
class Unit:
    id: str
    code: str
    name: str
    raw: dict = field(repr=False)

    @classmethod
    def from_api(cls, data):
        return cls(id=_get(data, "Id"), code=_get(data, "Code") or "", name=_get(data, "Name") or "", raw=data)


@dataclass
class ArticleAccountCoding:
    id: str
    name: str
    type: str
    vat_rate: str
    vat_rate_percent: Decimal
    is_active: bool
    raw: dict = field(repr=False)

    @classmethod
    def from_api(cls, data, vat_format: str = "auto"):
        return cls(
            id=_get(data, "Id"), name=_get(data, "Name") or "", type=_get(data, "Type") or "",
            vat_rate=_get(data, "VatRate") or "", vat_rate_percent=vat_percent(_get(data, "VatRatePercent"), vat_format),
            is_active=bool(_get(data, "IsActive", True)), raw=data,
        )


@dataclass
class CompanySettings:
    name: str
    corporate_identity_number: str
    company_identifier: str
    currency_code: str
    country_code: str
    activated_modules: list
    visma_webshop_status: int | None
    raw: dict = field(repr=False)

    @classmethod
    def from_api(cls, data):
        return cls(
            name=_get(data, "Name") or "",
            corporate_identity_number=_get(data, "CorporateIdentityNumber") or "",
            company_identifier=_get(data, "CompanyIdentifier") or "",
            currency_code=_get(data, "CurrencyCode") or "",
            country_code=_get(data, "CountryCode") or "",
            activated_modules=_get(data, "ActivatedModules") or [],
            visma_webshop_status=_get(data, "VismaWebshopStatus"),
            raw=data,
        )

    @property
    def company_key(self):
        """What makes the company unique: its identifier, else its business ID."""
        return self.company_identifier or self.corporate_identity_number
