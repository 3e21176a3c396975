"""A new owner sets a company up alone, from an empty company to web orders in eAccounting, using only what
the pages show: the set-up checklist, connecting eAccounting (the sandbox's login) and the shop (key approval),
activating, the template articles Silta makes, a method's terms picked by name, the first sync and Sync now.

Every page of ours visited is checked at 1,280 px, as it is and again re-rendered in Finnish and in Swedish: no
horizontal scrolling, no text field for an eAccounting id, and no English of ours (tests/fixtures/untranslated.py).
At the end at least three of the shop's orders are documents in eAccounting (read from its sandbox)."""

import os
import re
from pathlib import Path

import pytest

from integration.models import (
    ImportItem,
    Membership,
    MethodArticle,
    OrderTransfer,
    ShopMethod,
    Tenant,
    WebshopConnection,
)
from tests.fixtures.external_logins import sign_in_and_pick
from tests.fixtures.untranslated import stored_texts, untranslated_in_html

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
WIDTH = 1280
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
BUYER = {
    "first_name": "Maija",
    "last_name": "Meikäläinen",
    "email": "maija@example.fi",
    "address_1": "Kauppakatu 1",
    "city": "Kuopio",
    "postcode": "70100",
    "country": "FI",
    "phone": "+358401234567",
}


def fits_and_has_no_guid_field(page) -> None:
    """The page as a person sees it: no sideways scrolling at 1,280 px, no eAccounting id to type; and the
    same page re-rendered in Finnish and Swedish (then back in English) fits too and has no English of ours."""
    _fits_and_has_no_guid_field(page)
    if page.url.startswith(LIVE["url"]):  # the sandboxes' own pages (their login, key approval) are not ours
        url = page.url
        for lang in ("fi", "sv"):
            _in_language(page, lang, url)
            _fits_and_has_no_guid_field(page)
            found = untranslated_in_html(page.content(), lang, data())
            assert found == [], f"English of ours on {url} in {lang}: {found}"
        _in_language(page, "en", url)


def _in_language(page, lang: str, url: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": lang, "url": LIVE["url"]}])
    page.goto(url)
    page.wait_for_load_state("load")
    assert page.locator("html").get_attribute("lang") == lang, url


def data() -> set[str]:
    """What the pages may show as it is: the data stored in Silta's tables (names, SKUs, numbers) and the
    user's name, but not the first sync's reasons: those are texts of ours, shown in the reader's language."""
    reasons = set(ImportItem.objects.values_list("reason", flat=True))
    return (stored_texts() - reasons) | {"uusi"}


#: The live server's address, for telling our pages from the sandboxes'.
LIVE: dict[str, str] = {}


def _fits_and_has_no_guid_field(page) -> None:
    page.wait_for_load_state("load")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow} px at {WIDTH} px: {wide}"
    for field in page.locator("input[type=text], input:not([type])").all():
        name, value = field.get_attribute("name") or "", field.input_value()
        assert not name.endswith("_id") and not GUID.match(value), (
            f"{page.url}: a GUID text field {name}={value}"
        )


#: Where the pages are photographed in each language (a folder of the test's own unless SILTA_SCREENSHOTS says).
LANGUAGES = {
    "en": "Set-up of Kahvila Uusi Oy",
    "fi": "Kahvila Uusi Oy: käyttöönotto",
    "sv": "Kahvila Uusi Oy: driftsättning",
}


def in_each_language(
    page, base_url: str, path: str, name: str, folder: Path, heading: str | None = None
) -> None:
    """The page in English, Finnish and Swedish: it fits at 1,280 px in each, and is photographed."""
    for lang, title in LANGUAGES.items():
        page.context.add_cookies([{"name": "django_language", "value": lang, "url": base_url}])
        page.goto(f"{base_url}{path}")
        _fits_and_has_no_guid_field(page)
        if lang != "en":
            found = untranslated_in_html(page.content(), lang, data())
            assert found == [], f"English of ours on {path} in {lang}: {found}"
        if heading == "setup":
            assert title in page.title()
        page.screenshot(path=str(folder / f"{name}-{lang}.png"), full_page=True)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base_url}])


def step(page, key: str):
    return page.locator(f"tr.tenant-setup li[data-step={key}]")


@pytest.fixture
def new_owner(ea, wc, django_user_model, live_server, settings):
    """An empty company (only its name and business ID) and its owner; a shop with a few products."""
    settings.SILTA_BASE_URL = live_server.url
    LIVE["url"] = live_server.url
    wc.reset(seed={"products": 6, "orders": 0}, shipping_tax_split=True)
    company = ea.companies()[0]
    tenant = Tenant.objects.create(
        name="Kahvila Uusi Oy", slug="uusi", business_id=company["corporate_identity_number"]
    )
    user = django_user_model.objects.create_user(username="uusi", password="pw-uusi", is_staff=True)
    Membership.objects.create(tenant=tenant, user=user, role=Membership.Role.OWNER)
    return tenant, company


def test_a_new_owner_goes_from_an_empty_company_to_orders_in_eaccounting(
    page, live_server, ea, wc, new_owner, cluster, tmp_path
):
    tenant, company = new_owner
    shots = Path(os.environ.get("SILTA_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": WIDTH, "height": 900})
    log_in(page, live_server.url, "uusi", "pw-uusi")
    assert "Set-up: 0 of 6 steps done" in page.locator("tr.tenant-setup").inner_text()
    badge = step(page, "eaccounting").locator(
        ".setup-state"
    )  # the checklist's stylesheet is served and applied
    assert badge.evaluate("e => getComputedStyle(e).backgroundColor") not in (
        "rgba(0, 0, 0, 0)",
        "transparent",
    )
    fits_and_has_no_guid_field(page)

    # 1. connect eAccounting: the checklist's own button, the sandbox's login, the company
    step(page, "eaccounting").locator("button").click()
    sign_in_and_pick(page, company["name"])
    page.wait_for_selector("#tenants-dashboard")
    assert step(page, "eaccounting").get_attribute("data-state") == "done"

    # 2. connect the shop: its address, then approve Silta's key on the shop's page
    step(page, "webshop").locator("a.button").click()
    fits_and_has_no_guid_field(page)
    page.fill("#id_base_url", wc.url)
    page.click("#connect-webshop input[type=submit]")
    page.click("#wc-auth-approve")
    page.wait_for_selector("#tenants-dashboard")
    assert step(page, "webshop").get_attribute("data-state") == "done"

    # 3. activate
    step(page, "activate").locator("a.button").click()
    fits_and_has_no_guid_field(page)
    page.click("#activate-form button[value=yes]")
    page.goto(f"{live_server.url}/")
    assert step(page, "activate").get_attribute("data-state") == "done"
    assert step(page, "methods").get_attribute("data-state") == "to_do"  # the shop's methods lack articles
    in_each_language(page, live_server.url, "/", "dashboard-halfway", shots)
    in_each_language(
        page, live_server.url, "/tenants/uusi/setup/", "checklist-halfway", shots, heading="setup"
    )
    page.goto(f"{live_server.url}/")

    # 4. the template articles Silta proposes, created on Yes
    step(page, "methods").locator("a.button", has_text="Create the template articles").click()
    fits_and_has_no_guid_field(page)
    assert page.locator("#proposed-articles tr[data-number=ROUNDING]").count() == 1
    page.click("#create-template-articles")
    assert "created" in page.locator(".messagelist").inner_text()
    assert not ShopMethod.objects.filter(tenant=tenant, enabled=True, articles__isnull=True).exists()
    assert MethodArticle.objects.filter(method__tenant=tenant).exists()
    in_each_language(page, live_server.url, "/tenants/uusi/template-articles/", "template-articles", shots)
    page.goto(f"{live_server.url}/tenants/uusi/template-articles/")

    # 5. a method's terms of payment picked by name on its page
    page.locator("#content-main").get_by_role(
        "link", name="Delivery and payment methods"
    ).click()  # the template articles page's link
    fits_and_has_no_guid_field(page)
    page.locator("#content-main").get_by_role("link", name="Tilisiirto").first.click()
    fits_and_has_no_guid_field(page)
    page.select_option("select[name=terms_of_payment_id]", label="14 päivää netto")
    page.click("input[name=_save]")
    fits_and_has_no_guid_field(page)  # back on the list of methods
    assert ShopMethod.objects.get(tenant=tenant, key="bacs").terms_of_payment_id

    # 6. the first sync: preview, Yes (and the overwrites, if the preview has any)
    page.goto(f"{live_server.url}/")
    assert step(page, "methods").get_attribute("data-state") == "done"
    step(page, "first_sync").locator("a.button").click()
    page.click("#do-preview")
    page.wait_for_selector("#first-sync-status[data-status=preview]", timeout=60_000)
    fits_and_has_no_guid_field(page)
    page.click("#do-create")
    page.wait_for_selector(
        "#first-sync-status[data-status=created], #first-sync-status[data-status=done]", timeout=60_000
    )
    if page.locator("#first-sync-status[data-status=created]").count():
        page.check("#confirm-overwrite")
        page.click("#do-overwrite")
        page.wait_for_selector("#first-sync-status[data-status=done]", timeout=60_000)
    fits_and_has_no_guid_field(page)  # the result: what was created, linked, left out and why

    # 7. three customers order in the shop; Sync now from the checklist brings them to eAccounting
    shop = WebshopConnection.objects.get(tenant=tenant)
    products = [p for p in wc.get("/products", (shop.api_key, shop.api_secret)).json() if p.get("sku")][:3]
    assert len(products) == 3
    for product in products:
        wc.control(
            "POST",
            "/orders",
            {
                "line_items": [{"product_id": product["id"], "quantity": 1}],
                "billing": BUYER,
                "payment_method": "bacs",
                "status": "processing",
                "shipping_lines": [{"method_id": "flat_rate", "instance_id": 1}],
            },
        )
    page.goto(f"{live_server.url}/")
    sync_now = step(page, "first_order").locator("button", has_text="Sync now")
    if sync_now.count():  # else the shop's webhooks have brought the orders already
        sync_now.click()
    fits_and_has_no_guid_field(page)
    for _ in range(60):
        if OrderTransfer.objects.filter(tenant=tenant, status=OrderTransfer.Status.DONE).count() >= 3:
            break
        page.wait_for_timeout(1000)
    transfers = {
        t.shop_order_number: (t.status, t.reason) for t in OrderTransfer.objects.filter(tenant=tenant)
    }
    assert [s for s, _ in transfers.values()].count(OrderTransfer.Status.DONE) >= 3, transfers
    documents = [  # in eAccounting itself: a sales document carries the shop's order number
        d
        for kind in ("orders", "invoices")
        for d in ea.control("GET", f"companies/{company['id']}/resources/{kind}")
    ]
    in_eaccounting = {d.get("YourReference") for d in documents} & {str(n) for n in transfers}
    assert len(in_eaccounting) >= 3, (in_eaccounting, transfers)

    # the orders as the owner sees them: the list of order transfers and one order's own page
    page.goto(f"{live_server.url}/integration/ordertransfer/")
    fits_and_has_no_guid_field(page)
    page.locator("#result_list tbody tr a").first.click()
    fits_and_has_no_guid_field(page)

    # every step done: the checklist steps aside on the dashboard, and its page says so
    page.goto(f"{live_server.url}/")
    fits_and_has_no_guid_field(page)
    assert page.locator("tr.tenant-setup").count() == 0
    page.goto(f"{live_server.url}/tenants/uusi/setup/")
    fits_and_has_no_guid_field(page)
    assert page.locator("li.setup-step[data-state=done]").count() == 6
