"""A new owner whose shop is on Shopify sets the company up from the pages alone: connects eAccounting
(the sandbox's login), chooses Shopify on *Connect webshop*, types the store's address, installs Silta's
app on the store's own approval page (the Shopify sandbox), activates, runs the first sync, and a paid
order in the store becomes a document in eAccounting (issue #18, acceptance 3)."""

from decimal import Decimal

import pytest

from integration.models import (
    Membership,
    OrderTransfer,
    Tenant,
    WebshopConnection,
)
from sandbox.shopify.testing import Sandbox
from tests.fixtures.external_logins import sign_in_and_pick

from .conftest import log_in, setup_step

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
SHOP = "kahvila-kaski.myshopify.com"
APP = ("silta-sandbox-app", "silta-sandbox-secret")  # the sandbox's app


@pytest.fixture(scope="module")
def store():
    server = Sandbox({"shop_domain": SHOP})
    yield server
    server.control("GET", "/deliveries", params={"wait": 10})  # nothing in flight to a stopped server
    server.close()


@pytest.fixture
def cluster_env(store):
    """The cluster runs the first sync and the orders: it reaches the store through the sandbox too."""
    return {
        "SILTA_TEST_SHOPIFY_SANDBOX_URL": store.url,
        "SHOPIFY_CLIENT_ID": APP[0],
        "SHOPIFY_CLIENT_SECRET": APP[1],
    }


@pytest.fixture
def new_owner(ea, store, django_user_model, live_server, settings):
    """An empty company and its owner; the Shopify store has a few products and one paid order."""
    settings.SILTA_BASE_URL = live_server.url
    settings.SHOPIFY_SANDBOX_URL = store.url
    settings.SHOPIFY_CLIENT_ID, settings.SHOPIFY_CLIENT_SECRET = APP
    store.reset(seed={"products": 5, "orders": 0, "seed": 3}, shop_domain=SHOP, auto_approve_install=False)
    # the shop's history: one paid order of a 14 % product, from which the first sync learns its rate
    store.control("POST", "/orders", {"lines": [{"sku": _skus_at(store, "0.14")[0], "quantity": 1}]})
    company = ea.companies()[0]
    tenant = Tenant.objects.create(
        name="Kahvila Kaski Oy", slug="kaski", business_id=company["corporate_identity_number"]
    )
    user = django_user_model.objects.create_user(username="kaski", password="pw-kaski", is_staff=True)
    Membership.objects.create(tenant=tenant, user=user, role=Membership.Role.OWNER)
    return tenant, company


def _skus_at(store, rate: str) -> list[str]:
    """The store's own (seeded) SKUs whose tax override gives ``rate`` (the sandbox keeps it on the
    product); not those the article sync made from eAccounting's articles, whose rate is eAccounting's."""
    shop = store.store
    return sorted(
        v["sku"]
        for v in shop.variants.values()
        if shop.products[v["_product_id"]]["_tax_rate"] == Decimal(rate) and v["sku"].startswith("SKU-")
    )


def wait_for_transfer(page, tenant, *statuses) -> OrderTransfer:
    """The store's order as Silta records it, once in one of ``statuses`` (done or waiting; at most 90 s)."""
    statuses = statuses or (OrderTransfer.Status.DONE, OrderTransfer.Status.WAITING)
    for _ in range(90):
        transfer = OrderTransfer.objects.filter(tenant=tenant).first()
        if transfer and transfer.status in statuses:
            return transfer
        page.wait_for_timeout(1000)
    return OrderTransfer.objects.get(tenant=tenant)


def test_a_new_owner_installs_the_app_in_the_store_and_an_order_reaches_eaccounting(
    page, live_server, ea, store, new_owner, cluster
):
    tenant, company = new_owner
    log_in(page, live_server.url, "kaski", "pw-kaski")

    # 1. eAccounting: the checklist's button, the sandbox's login, the company
    setup_step(page, "eaccounting").locator("button").click()
    sign_in_and_pick(page, company["name"])
    page.wait_for_selector("#tenants-dashboard")
    assert setup_step(page, "eaccounting").get_attribute("data-state") == "done"

    # 2. the shop: Shopify, the store's address, Install app on the store's own page
    setup_step(page, "webshop").locator("a.button").click()
    page.fill("#id_shopify-shop", SHOP)
    page.click("#continue-to-shopify")
    assert page.url.startswith(f"{store.url}/admin/oauth/authorize")
    assert f"Install app on {SHOP}" in page.content()
    page.click("button[value=install]")
    page.wait_for_url(f"{live_server.url}/tenants/kaski/setup/")
    assert f"connected to the Shopify store {SHOP}" in page.locator(".messagelist").inner_text()
    connection = WebshopConnection.objects.get(tenant=tenant)
    assert (connection.platform, connection.base_url) == ("shopify", f"https://{SHOP}")

    # 3. activate
    page.goto(f"{live_server.url}/")
    assert setup_step(page, "webshop").get_attribute("data-state") == "done"
    setup_step(page, "activate").locator("a.button").click()
    page.click("#activate-form button[value=yes]")
    page.goto(f"{live_server.url}/")
    assert setup_step(page, "activate").get_attribute("data-state") == "done", page.content()

    # 4. the first sync: preview, Yes (and the overwrites, if the preview has any)
    setup_step(page, "first_sync").locator("a.button").click()
    page.click("#do-preview")
    page.wait_for_selector("#first-sync-status[data-status=preview]", timeout=60_000)
    # Shopify tells no product's rate: the one its order charged is learned, the rest assumed standard
    assert page.locator("#vat-learned").inner_text().startswith("1 product will be created")
    assert page.locator("#vat-assumed").inner_text().startswith("4 products were not sold")
    page.click("#do-create")
    page.wait_for_selector(
        "#first-sync-status[data-status=created], #first-sync-status[data-status=done]", timeout=60_000
    )
    if page.locator("#first-sync-status[data-status=created]").count():
        page.check("#confirm-overwrite")
        page.click("#do-overwrite")
        page.wait_for_selector("#first-sync-status[data-status=done]", timeout=60_000)

    # 5. a customer pays an order in the store; its webhook (or Sync now) brings it to eAccounting. Two
    # products at the standard rate and the 14 % one sold before: the first sync made its article at 14 %
    # (had it assumed the standard rate, the order would wait for its coding to be fixed)
    skus = _skus_at(store, "0.255")[:2] + _skus_at(store, "0.14")[:1]
    lines = [{"sku": sku, "quantity": 1} for sku in skus]
    buyer = {"firstName": "Maija", "lastName": "Meikäläinen", "address1": "Kauppakatu 1", "zip": "70100"}
    order = store.control(
        "POST",
        "/orders",
        {
            "lines": lines,
            "shipping": None,
            "email": "maija@example.fi",
            "billing": {**buyer, "city": "Kuopio", "countryCodeV2": "FI"},
        },
    )
    page.goto(f"{live_server.url}/")
    sync_now = setup_step(page, "first_order").locator("button", has_text="Sync now")
    if sync_now.count():
        sync_now.click()
    wait_for_transfer(page, tenant, OrderTransfer.Status.DONE)
    transfers = {
        t.shop_order_number: (t.status, t.reason) for t in OrderTransfer.objects.filter(tenant=tenant)
    }
    assert OrderTransfer.Status.DONE in [s for s, _ in transfers.values()], transfers
    documents = [  # in eAccounting itself: a sales document carries the shop's order number
        d
        for kind in ("orders", "invoices")
        for d in ea.control("GET", f"companies/{company['id']}/resources/{kind}")
    ]
    numbers = {str(n) for n in transfers} | {str(order.get("name", "")).lstrip("#")}
    assert {d.get("YourReference") for d in documents} & numbers, (transfers, order)
