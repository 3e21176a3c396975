"""Both sandboxes with an activated tenant whose articles and method templates are in place."""

from decimal import Decimal

import pytest

from integration.activation.activate import activate
from integration.activation.fetch import gather
from integration.activation.preflight import check
from integration.eaccounting.client import EAccountingClient
from integration.models import AccountingArticle, MethodArticle, OrderSettings, ShopMethod
from integration.sync import first_sync
from integration.sync.article_sync import sync_articles

from ..conftest import connect_both

D = Decimal
PRIVATE = {
    "first_name": "Maija",
    "last_name": "Meikäläinen",
    "email": "Maija@Example.fi",
    "address_1": "Kauppakatu 1",
    "city": "Kuopio",
    "postcode": "70100",
    "country": "FI",
    "phone": "+358401234567",
}

SHOP_SETTINGS_CASES_CHANGE = ("tax_round_at_subtotal", "negative_fee_tax", "prices_include_tax")


class Shop:
    """The test's handle on both sandboxes for one tenant."""

    def __init__(self, tenant, ea, wc):
        self.tenant, self.ea, self.wc = tenant, ea, wc
        self.client = EAccountingClient(tenant.eaccounting_connection)
        self.company = tenant.eaccounting_connection.company_id
        self.key = (tenant.webshop_connection.api_key, tenant.webshop_connection.api_secret)
        self._codings = self._units = None  # read once: a test adds articles, never codings or units

    def coding(self, rate, kind="Goods"):
        self._codings = self._codings or self.client.codings()
        return next(c for c in self._codings if c.vat_rate_percent == D(rate) and c.type == kind)

    def article(self, number, name, gross, rate, *, stock=False, shown=True, kind="Goods"):
        coding = self.coding(rate, kind)
        self._units = self._units or self.client.units()
        unit = self._units[0]
        net = (D(gross) / (1 + D(rate) / 100)).quantize(D("0.01"))
        return self.client.post(
            "/articles",
            {
                "Number": number,
                "Name": name,
                "UnitId": unit.id,
                "CodingId": coding.id,
                "IsActive": True,
                "NetPrice": float(net),
                "GrossPrice": float(gross),
                "IsStock": stock,
                "SendToWebshop": shown,
            },
        )

    def product_id(self, sku):
        return next(p["id"] for p in self.wc.get("/products", self.key, params={"sku": sku}).json())

    def order(self, lines, **extra):
        body = {
            "line_items": [{"product_id": self.product_id(sku), "quantity": q} for sku, q in lines],
            "billing": PRIVATE,
            "payment_method": "bacs",
            "status": "processing",
            **extra,
        }
        return self.wc.control("POST", "/orders", body)

    def document(self, transfer):
        kind = {"order": "orders", "draft": "drafts", "invoice": "invoices"}[transfer.document_kind]
        docs = self.ea.control("GET", f"companies/{self.company}/resources/{kind}")
        docs = docs.values() if isinstance(docs, dict) else docs
        return next(d for d in docs if d["Id"] == transfer.document_id)

    def documents(self, kind="orders"):
        docs = self.ea.control("GET", f"companies/{self.company}/resources/{kind}")
        return list(docs.values() if isinstance(docs, dict) else docs)

    def template(self, kind, key, *numbers):
        method = ShopMethod.objects.get(tenant=self.tenant, kind=kind, key=key)
        for number in numbers:
            MethodArticle.objects.create(
                method=method, article=AccountingArticle.objects.get(tenant=self.tenant, number=number)
            )


@pytest.fixture
def shop(ea, wc, live_server, settings):
    """Activated; articles A-255 (12.40, 25.5 %) and B-14 (5.70, 14 %) in the shop; templates for
    flat rate shipping at both rates and for the bank transfer fee; a rounding article (0 %: a rounding row
    may correct the total, never VAT). Shop settings a test changes are put back after it (the shop outlives it)."""
    kept = {k: v for k, v in wc.control("GET", "/settings").items() if k in SHOP_SETTINGS_CASES_CHANGE}
    wc.reset(seed={"products": 0, "orders": 0}, shipping_tax_split=True)
    settings.SILTA_BASE_URL = live_server.url
    tenant = connect_both(ea, wc, "orders")
    activate(tenant, check(gather(tenant)))
    tenant.refresh_from_db()
    first_sync.apply(first_sync.preview(tenant))
    s = Shop(tenant, ea, wc)
    s.article("A-255", "Kahvikuppi", "12.40", "25.5", stock=True)
    s.article("B-14", "Kahvipapu 250 g", "5.70", "14", stock=True)
    for number, rate in (("SHIP-255", "25.5"), ("SHIP-14", "14"), ("FEE-255", "25.5"), ("ROUND", "0")):
        s.article(number, f"Template {number}", "0", rate, shown=False, kind="Service")
    assert sync_articles(tenant).status == "succeeded"
    s.template("shipping", "flat_rate:1", "SHIP-255", "SHIP-14")
    s.template("payment", "bacs", "FEE-255")
    OrderSettings.objects.filter(tenant=tenant).update(
        rounding_article=AccountingArticle.objects.get(tenant=tenant, number="ROUND"), transfer_from=None
    )
    yield s
    wc.control("PATCH", "/settings", kept)
