"""What order transfers read once per run at most, not once per order: the shop's methods and tax
rates, the company's settings and the eAccounting customers changed since the last read — each
kept with a freshness rule, so the runs of a busy shop (every webhook, every echo of Silta's own
write-back) do not read them again each time. An order by a known buyer reads none of them from
eAccounting: its document is its only request."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from ..batching import chunks
from ..eaccounting import accounting_copy, documents
from ..eaccounting.client import EAccountingClient
from ..eaccounting.references import RefList, choices
from ..eaccounting.resources import CompanySettings
from ..models import ReferenceData, ShopMethod, SyncCursor, Tenant
from ..webshops.base import ShopOrder, Webshop

CUSTOMERS_CURSOR = "eaccounting.customers"
# The order path reads only the company's country and currency from its settings, which change when
# the company moves abroad, not by the hour; a run a few hours old is as good as a fresh one. Read at
# most every 6 hours, a tenant's order runs spend ~4 requests a day on it, not one per quiet order.
COMPANY_MAX_AGE = timedelta(hours=6)
# Customers Silta creates are remembered as it creates them; this only bounds how long a customer a
# person added in eAccounting may go unseen (an order of theirs would get a second customer record).
# So the copy is brought up to date only before creating a customer (customers.create): an order by
# a buyer the copy knows costs no read at all.
CUSTOMERS_MAX_AGE = timedelta(minutes=10)
CUSTOMER_LIST_MAX_AGE = timedelta(hours=6)  # every run: for the admin's pick lists of customers
TAX_RATES_MAX_AGE = timedelta(minutes=15)  # the shop's tax rates change with the law, not by the hour


def shipping_key(method_id: str, instance_id) -> str:
    return f"{method_id}:{instance_id}" if instance_id not in (None, "", 0) else method_id


def refresh_methods(tenant: Tenant, shop: Webshop) -> int:
    """The shop's delivery methods (by zone instance) and payment gateways, kept by key.

    Templates set in the admin stay; methods gone from the shop are kept (old orders use them)."""
    seen = 0
    for m in shop.shipping_methods():
        ShopMethod.objects.update_or_create(
            tenant=tenant,
            kind=ShopMethod.Kind.SHIPPING,
            key=shipping_key(m.method_id, m.instance_id),
            defaults={"title": m.title[:200], "zone": m.zone_name[:200], "enabled": m.enabled},
        )
        seen += 1
    for g in shop.payment_gateways():
        ShopMethod.objects.update_or_create(
            tenant=tenant,
            kind=ShopMethod.Kind.PAYMENT,
            key=g.id[:100],
            defaults={"title": g.title[:200] or g.id, "enabled": g.enabled},
        )
        seen += 1
    return seen


def remember_methods(tenant: Tenant, order: ShopOrder, known: dict[tuple[str, str], ShopMethod]) -> None:
    """The delivery and payment methods an order names that the shop's lists did not (Shopify lists
    none to apps; a WooCommerce method added since activation): kept by the same key, so the owner
    finds them on *Shop methods* and gives them template articles, as the waiting order asks."""
    named = [(ShopMethod.Kind.SHIPPING, line.method_id, line.method_title) for line in order.shipping_lines]
    named.append((ShopMethod.Kind.PAYMENT, order.payment_method, order.payment_method_title))
    for kind, key, title in named:
        if key and not _listed(known, kind, key[:100]):
            method, _ = ShopMethod.objects.get_or_create(
                tenant=tenant, kind=kind, key=key[:100], defaults={"title": (title or key)[:200]}
            )
            known[(kind, method.key)] = method


def _listed(known: dict[tuple[str, str], ShopMethod], kind: str, key: str) -> bool:
    """A shipping line names its method without the zone instance (WooCommerce keeps them per zone)."""
    return (kind, key) in known or (
        kind == ShopMethod.Kind.SHIPPING and any(k == kind and m.startswith(f"{key}:") for k, m in known)
    )


def tax_rates(
    tenant: Tenant, shop: Webshop, max_age: timedelta = TAX_RATES_MAX_AGE, needed: set[int] | None = None
) -> dict[int, Decimal]:
    """The shop's tax rates by id, read again when older than `max_age`.

    `needed`: the rate ids the run's orders name (a webhook's run for one order). The copy serves them
    whatever its age when it knows every one of them, so a one-order run reads only what that order needs;
    the next poll refreshes the copy. A percent edited under the same id meanwhile cannot book wrongly: the
    planner's VAT per rate then differs from the receipt's and the order is held with both figures."""
    row = ReferenceData.objects.filter(tenant=tenant, name="shop.tax_rates").first()
    known = row is not None and needed is not None and needed <= {int(k) for k in row.data}
    if row is None or (not known and row.fetched_at < timezone.now() - max_age):
        data = {str(r.id): str(r.rate) for r in shop.tax_rates()}
        row, _ = ReferenceData.objects.update_or_create(
            tenant=tenant, name="shop.tax_rates", defaults={"data": data}
        )
    return {int(k): Decimal(v) for k, v in row.data.items()}


def refresh_customers(
    tenant: Tenant, eaccounting: EAccountingClient, max_age: timedelta = CUSTOMERS_MAX_AGE
) -> bool:
    """Customers changed in eAccounting since the last read into the local copy (one page, usually),
    when that read is older than `max_age` (by eAccounting's clock, which the cursor holds).
    True when it read."""
    cursor = SyncCursor.objects.filter(tenant=tenant, name=CUSTOMERS_CURSOR).first()
    if cursor is not None and cursor.value > timezone.now() - max_age:
        return False
    listing = documents.customers_changed_since(eaccounting, cursor.value if cursor else None)
    for page in chunks(listing, 500):
        accounting_copy.remember_customers(tenant, page)
    if listing.server_time:
        SyncCursor.objects.update_or_create(
            tenant=tenant, name=CUSTOMERS_CURSOR, defaults={"value": listing.server_time}
        )
    return True


def company(tenant: Tenant, eaccounting: EAccountingClient) -> CompanySettings:
    """The company's settings (country, currency), read again when older than COMPANY_MAX_AGE."""
    row = ReferenceData.objects.filter(tenant=tenant, name="eaccounting.company").first()
    if row is None or row.fetched_at < timezone.now() - COMPANY_MAX_AGE:
        settings = eaccounting.company_settings()
        ReferenceData.objects.update_or_create(
            tenant=tenant, name="eaccounting.company", defaults={"data": settings.raw}
        )
        return settings
    return CompanySettings.from_api(row.data)


def refresh_articles(tenant: Tenant, eaccounting: EAccountingClient, numbers: set[str]) -> int:
    """Articles a waiting order names by number, looked up in eAccounting and kept in the local copy: an
    article a person made after the order came in is found when they press Retry. One request per number,
    so only a person's Retry asks (a scheduled run does not pay for SKUs that stay unknown)."""
    found = [a for n in sorted(numbers) if (a := eaccounting.article_by_number(n)) is not None]
    if not found:
        return 0
    vat_by_coding = {c.id: c.vat_rate for c in choices(tenant, RefList.CODINGS) if c.vat_rate is not None}
    if any(a.coding_id not in vat_by_coding for a in found):
        vat_by_coding |= {c.id: c.vat_rate_percent for c in eaccounting.codings()}
    accounting_copy.remember_articles(tenant, found, vat_by_coding)
    return len(found)
