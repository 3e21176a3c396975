"""Compact local copies of eAccounting articles and customers, kept as they are read.

Orders look up articles (by number) and customers (by e-mail, business ID or VAT number)
here, so a transfer costs no lookup requests; the admin's pick lists come from here too.
"""

from collections.abc import Iterable, Mapping
from decimal import Decimal

from integration.privacy.personal_data import email_hash

from ..models import AccountingArticle, AccountingCustomer, Tenant
from .resources import Article, read_field


def remember_articles(
    tenant: Tenant, articles: Iterable[Article], vat_by_coding: Mapping[str, Decimal]
) -> None:
    rows = [
        AccountingArticle(
            tenant=tenant,
            article_id=a.id,
            number=a.number or "",
            name=(a.name or "")[:100],
            vat_rate=vat_by_coding.get(a.coding_id),
            is_active=a.is_active,
            is_stock=a.is_stock,
        )
        for a in articles
    ]
    AccountingArticle.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["tenant", "article_id"],
        update_fields=["number", "name", "vat_rate", "is_active", "is_stock"],
    )


def customer_row(tenant: Tenant, data: dict) -> AccountingCustomer:
    """A CustomerApi object as its compact copy (keys normalised for matching)."""
    return AccountingCustomer(
        tenant=tenant,
        customer_id=read_field(data, "Id"),
        number=read_field(data, "CustomerNumber") or "",
        name=(read_field(data, "Name") or "")[:100],
        is_private=bool(read_field(data, "IsPrivatePerson")),
        email=(read_field(data, "EmailAddress") or "").strip().lower(),
        email_hash=email_hash(read_field(data, "EmailAddress")),
        business_id=(read_field(data, "CorporateIdentityNumber") or "").replace(" ", ""),
        vat_number=(read_field(data, "VatNumber") or "").replace(" ", "").upper(),
        is_active=bool(read_field(data, "IsActive", True)),
    )


def remember_customers(tenant: Tenant, customers: Iterable[dict]) -> None:
    AccountingCustomer.objects.bulk_create(
        [customer_row(tenant, c) for c in customers],
        update_conflicts=True,
        unique_fields=["tenant", "customer_id"],
        update_fields=[
            "number",
            "name",
            "is_private",
            "email",
            "email_hash",
            "business_id",
            "vat_number",
            "is_active",
        ],
    )
