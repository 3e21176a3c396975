"""The simulated tenants: each an eAccounting company with its articles and an empty shop of its
own, connected, activated, first sync done, templates set and every article in its shop."""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

import requests
from django.db import connection
from django.utils import timezone

from integration.webshops import setup as webshop_setup

from ..activation.activate import activate
from ..activation.fetch import gather
from ..activation.preflight import check
from ..benchmarks.orders import method_templates
from ..eaccounting.client import EAccountingClient
from ..models import ArticleLink, ConnectionStatus, EAccountingConnection, Tenant, WebshopConnection
from ..orders import reference
from ..sync import first_sync


@dataclass(frozen=True)
class SimTenant:
    pk: int
    company_id: str
    shop: str  # the shop's base URL
    articles: tuple[str, ...]  # numbers of the articles in the shop
    products: tuple[int, ...]  # the shop's product ids
    buyers: tuple[str, ...] = ()  # e-mail addresses of the company's private customers: returning buyers


def _post(url, body, timeout=600):
    response = requests.post(url, json=body, timeout=timeout)
    response.raise_for_status()
    return response.json()


def _private_customers(ea: str, company_id: str) -> tuple[str, ...]:
    found = requests.get(f"{ea}/_sandbox/companies/{company_id}/resources/customers", timeout=60).json()
    found = found.values() if isinstance(found, dict) else found
    return tuple(
        sorted(c["EmailAddress"] for c in found if c.get("IsPrivatePerson") and c.get("EmailAddress"))
    )


def build_one(ea: str, wc: str, n: int, articles: int, webhooks: bool, customers: int = 0) -> SimTenant:
    try:
        company = _post(
            f"{ea}/_sandbox/companies",
            {
                "name": f"Simulaatio {n} Oy",
                "articles": articles,
                "customers": customers,  # about half private persons: the returning buyers
                "webshop_orders": 0,
                "seed": n,
            },
        )
        shop = _post(f"{wc}/_sandbox/shops", {"name": f"t{n}", "seed": None})["url"]
        key = _post(f"{shop}/_sandbox/keys", {"permissions": "read_write"})
        tokens = _post(f"{ea}/_sandbox/tokens", {"company_id": company["id"]})
        tenant = Tenant.objects.create(name=f"Simulaatio {n} Oy", slug=f"sim-{n}")
        EAccountingConnection.objects.create(
            tenant=tenant,
            status=ConnectionStatus.CONNECTED,
            company_id=company["id"],
            company_name=company["name"],
            access_token=tokens["access_token"],
            refresh_token=tokens["refresh_token"],
            access_token_expires_at=timezone.now() + timedelta(hours=1),
        )
        WebshopConnection.objects.create(
            tenant=tenant,
            base_url=shop,
            api_key=key["consumer_key"],
            api_secret=key["consumer_secret"],
            status=ConnectionStatus.CONNECTED,
        )
        activate(tenant, check(gather(tenant)))
        if not webhooks:
            webshop_setup.remove_webhooks(tenant)
        first_sync.apply(first_sync.preview(tenant))  # an empty shop: nothing to import
        method_templates(tenant)  # shipping and payment fee articles, then the initial article sync
        # a tenant that has been running a while: its order runs' copies (the company's settings, the
        # customers) are warm, so what is measured is the steady state, not each tenant's first read
        client = EAccountingClient(tenant.eaccounting_connection)
        reference.company(tenant, client)
        reference.refresh_customers(tenant, client)
        links = list(
            ArticleLink.objects.filter(tenant=tenant, shop_parent_id=None)
            .exclude(article_number__startswith="BENCH-")
            .values_list("article_number", "shop_product_id")
        )
        return SimTenant(
            tenant.pk,
            company["id"],
            shop,
            tuple(a for a, _ in links),
            tuple(p for _, p in links),
            _private_customers(ea, company["id"]),
        )
    finally:
        connection.close()  # this worker thread's own connection


def build(
    ea: str, wc: str, tenants: int, articles: int, webhooks: bool, say, customers: int = 0
) -> list[SimTenant]:
    built = []
    with ThreadPoolExecutor(4) as pool:
        for t in pool.map(lambda n: build_one(ea, wc, n, articles, webhooks, customers), range(tenants)):
            built.append(t)
            if len(built) % 10 == 0 or len(built) == tenants:
                say(f"  {len(built)} of {tenants} tenants ready")
    return built
