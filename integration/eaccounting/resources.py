"""Typed views of the eAccounting resources Silta uses, with Decimal money.

Each keeps the `raw` object as read, because PUT is a full replace: an update
sends the raw object back with only the intended fields changed.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils.dateparse import parse_datetime


def read_field(data: Mapping[str, Any] | None, name: str, default: Any = None) -> Any:
    """A field of an eAccounting answer, read case-insensitively: Visma once served camelCase (docs/eaccounting-unknowns.md).

    Every module that reads eAccounting JSON reads it through this; an answer that is not an object
    (an error page, say) has no fields."""
    if not isinstance(data, Mapping):
        return default
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
            current_page=read_field(data, "CurrentPage"),
            page_size=read_field(data, "PageSize"),
            total_pages=read_field(data, "TotalNumberOfPages"),
            total_results=read_field(data, "TotalNumberOfResults"),
            server_time=_datetime(read_field(data, "ServerTimeUtc")),
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
    # StockBalanceManuallyChangedUtc: when a person last set the balance by hand (None: never).
    stock_changed_by_hand_utc: datetime | None = None

    @classmethod
    def from_api(cls, data):
        return cls(
            id=read_field(data, "Id"),
            number=read_field(data, "Number"),
            name=read_field(data, "Name"),
            unit_id=read_field(data, "UnitId"),
            coding_id=read_field(data, "CodingId"),
            net_price=_decimal(read_field(data, "NetPrice")),
            gross_price=_decimal(read_field(data, "GrossPrice")),
            is_active=bool(read_field(data, "IsActive")),
            is_stock=bool(read_field(data, "IsStock")),
            stock_balance=_decimal(read_field(data, "StockBalance")),
            stock_reserved=_decimal(read_field(data, "StockBalanceReserved")),
            stock_available=_decimal(read_field(data, "StockBalanceAvailable")),
            send_to_webshop=bool(read_field(data, "SendToWebshop", True)),
            changed_utc=_datetime(read_field(data, "ChangedUtc")),
            raw=data,
            stock_changed_by_hand_utc=_datetime(read_field(data, "StockBalanceManuallyChangedUtc")),
        )


@dataclass
class Unit:
    id: str
    code: str
    name: str
    raw: dict = field(repr=False)

    @classmethod
    def from_api(cls, data):
        return cls(
            id=read_field(data, "Id"),
            code=read_field(data, "Code") or "",
            name=read_field(data, "Name") or "",
            raw=data,
        )


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
            id=read_field(data, "Id"),
            name=read_field(data, "Name") or "",
            type=read_field(data, "Type") or "",
            vat_rate=read_field(data, "VatRate") or "",
            vat_rate_percent=vat_percent(read_field(data, "VatRatePercent"), vat_format),
            is_active=bool(read_field(data, "IsActive", True)),
            raw=data,
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
            name=read_field(data, "Name") or "",
            corporate_identity_number=read_field(data, "CorporateIdentityNumber") or "",
            company_identifier=read_field(data, "CompanyIdentifier") or "",
            currency_code=read_field(data, "CurrencyCode") or "",
            country_code=read_field(data, "CountryCode") or "",
            activated_modules=read_field(data, "ActivatedModules") or [],
            visma_webshop_status=read_field(data, "VismaWebshopStatus"),
            raw=data,
        )

    @property
    def company_key(self):
        """What makes the company unique: its identifier, else its business ID."""
        return self.company_identifier or self.corporate_identity_number
