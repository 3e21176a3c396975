"""The same web order through transfer for both shop platforms: WooCommerce and Shopify give the
same plan, the same document and the same buyer, the same eAccounting customer (parametrised by
platform, not copied)."""

from decimal import Decimal

import pytest

from integration.activation.activate import activate
from integration.activation.fetch import gather
from integration.activation.preflight import check
from integration.eaccounting.client import EAccountingClient
from integration.models import AccountingCustomer, OrderSettings, OrderTransfer, WebshopConnection
from integration.orders import reference
from integration.orders.transfer import transfer_orders
from integration.sync import first_sync
from integration.sync.article_sync import sync_articles
from sandbox.shopify.testing import Sandbox as ShopifySandbox

from ..conftest import connect_both, connect_tenant
from .conftest import PRIVATE, Shop

pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal
LINES = [("A-255", 2), ("B-14", 3)]
# The buyer (conftest.PRIVATE) in Shopify's words: MailingAddress fields and the order's email.
SHOPIFY_BILLING = {
    "firstName": PRIVATE["first_name"],
    "lastName": PRIVATE["last_name"],
    "address1": PRIVATE["address_1"],
    "zip": PRIVATE["postcode"],
    "city": PRIVATE["city"],
    "countryCodeV2": PRIVATE["country"],
    "phone": PRIVATE["phone"],
}
# What eAccounting holds of that buyer, whichever shop the order came from.
CUSTOMER = {
    "Name": "Maija Meikäläinen",
    "IsPrivatePerson": True,
    "EmailAddress": "maija@example.fi",
    "InvoiceAddress1": "Kauppakatu 1",
    "InvoicePostalCode": "70100",
    "InvoiceCity": "Kuopio",
    "InvoiceCountryCode": "FI",
    "Telephone": "+358401234567",
}


@pytest.fixture(scope="module")
def shopify_server():
    server = ShopifySandbox()
    yield server
    server.close()


@pytest.fixture(autouse=True)
def _deliveries_done(shopify_server):
    """Deliveries still in flight would reach the live server while the test database is flushed."""
    yield
    shopify_server.control("GET", "/deliveries", params={"wait": 10})


def _woocommerce(ea, wc, shopify_server):
    wc.reset(seed={"products": 0, "orders": 0})
    tenant = connect_both(ea, wc, "both-woo")
    return tenant, lambda s: s.order(LINES, billing=PRIVATE)


def _shopify(ea, wc, shopify_server):
    shopify_server.reset(seed=None)
    tenant = connect_tenant(ea, "both-shopify", ea.companies()[0]).tenant
    WebshopConnection.objects.create(
        tenant=tenant,
        platform="shopify",
        base_url=shopify_server.url,
        api_key=shopify_server.token(),
        status="connected",
    )

    def order(s):
        # Shopify taxes by region with overrides: the shop's override gives B-14 its 14 %
        shopify_server.control("POST", "/tax_override", {"sku": "B-14", "rate": "0.14"})
        lines = [{"sku": sku, "quantity": q} for sku, q in LINES]
        body = {"lines": lines, "shipping": None, "email": PRIVATE["email"], "billing": SHOPIFY_BILLING}
        return shopify_server.control("POST", "/orders", body)

    return tenant, order


@pytest.mark.parametrize("platform", [_woocommerce, _shopify], ids=["woocommerce", "shopify"])
def test_the_same_order_is_the_same_document_on_both_platforms(
    platform, ea, wc, shopify_server, settings, live_server
):
    settings.SILTA_BASE_URL = live_server.url
    tenant, place_order = platform(ea, wc, shopify_server)
    activate(tenant, check(gather(tenant)))
    tenant.refresh_from_db()
    first_sync.apply(first_sync.preview(tenant))
    s = Shop(tenant, ea, wc)
    s.article("A-255", "Kahvikuppi", "12.40", "25.5", stock=True)
    s.article("B-14", "Kahvipapu 250 g", "5.70", "14", stock=True)
    assert sync_articles(tenant).status == "succeeded"
    # a collective customer is set: a buyer with a name, an e-mail and an address must not go to it
    client = EAccountingClient(tenant.eaccounting_connection)
    terms = OrderSettings.objects.get(tenant=tenant).terms_of_payment_id
    base = {"IsActive": True, "TermsOfPaymentId": terms, "IsPrivatePerson": True}
    collective = client.post(
        "/customers",
        {**base, "Name": "Verkkokaupan asiakkaat", "InvoiceCity": "Kuopio", "InvoicePostalCode": "70100"},
    )
    reference.refresh_customers(tenant, client)
    OrderSettings.objects.filter(tenant=tenant).update(
        transfer_from=None,
        collective_customer=AccountingCustomer.objects.get(tenant=tenant, customer_id=collective["Id"]),
    )
    place_order(s)
    run = transfer_orders(tenant)
    assert run.status == "succeeded", run.error
    (transfer,) = OrderTransfer.objects.filter(tenant=tenant)
    assert transfer.status == OrderTransfer.Status.DONE, transfer.reason
    doc = s.document(transfer)
    # By hand: A 2 × 12.40 = 24.80 gross (VAT 5.04), B 3 × 5.70 = 17.10 gross (VAT 2.10): 41.90, VAT 7.14
    rows = [(r["ArticleNumber"], D(str(r["Quantity"])), D(str(r["UnitPrice"]))) for r in doc["Rows"]]
    assert rows == [("A-255", 2, D("12.40")), ("B-14", 3, D("5.70"))]
    assert D(str(doc["Amount"])) + D(str(doc["VatAmount"])) == D("41.90")
    assert D(str(doc["VatAmount"])) == D("7.14")
    assert transfer.written_back
    # the buyer became her own eAccounting customer, with what the shop knew of her, on both platforms
    assert doc["CustomerId"] != collective["Id"]
    made = s.ea.control("GET", f"companies/{s.company}/resources/customers")
    made = made.values() if isinstance(made, dict) else made
    customer = next(c for c in made if c["Id"] == doc["CustomerId"])
    assert {k: customer.get(k) for k in CUSTOMER} == CUSTOMER
    local = AccountingCustomer.objects.get(tenant=tenant, customer_id=doc["CustomerId"])
    assert (local.name, local.email) == ("Maija Meikäläinen", "maija@example.fi")
    # a second order of hers is booked to the same customer: found by e-mail, not created again
    place_order(s)
    assert transfer_orders(tenant).status == "succeeded"
    second = OrderTransfer.objects.filter(tenant=tenant).exclude(pk=transfer.pk).get()
    assert second.status == OrderTransfer.Status.DONE, second.reason
    assert s.document(second)["CustomerId"] == doc["CustomerId"]
    assert AccountingCustomer.objects.filter(tenant=tenant, email="maija@example.fi").count() == 1
