"""The portal in Finnish and Swedish in a real browser: the header's chooser, the main pages, the admin pages
owners use, and the choice kept across logging out and in again (Django's language cookie).

On each page: the html lang attribute, a known text in the language, and none of the English source texts
of the page's templates (every msgid of those templates whose translation differs) left in the page; on the
admin pages, no English of ours at all (tests/fixtures/untranslated.py)."""

import re

import polib
import pytest
from django.conf import settings as django_settings

from integration.models import Membership, OrderTransfer, SyncRun

from ..conftest import connect_both, make_tenant
from ..fixtures.untranslated import stored_texts, untranslated_in_html
from ..visma_webshop.conftest import activated
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOCALE = django_settings.BASE_DIR / "locale"
HEADER = ["templates/admin/base_site.html"]
PLACEHOLDER = re.compile(r"%\(\w+\)s")
# Left out: the admin's list of models (the dashboard's app list, the side bar: Django's own table headers
# there, e.g. "Change or view list link", have no Finnish; our model names in it are checked on the admin
# pages below) and reasons stored in the database (they stay in the language they were written in).
WITHOUT_MODEL_LIST = """() => {
  const hidden = [...document.querySelectorAll("#nav-sidebar, #content-main > div[class^='app-'], td.reason")];
  hidden.forEach(e => e.style.display = "none");
  const text = document.body.innerText;
  hidden.forEach(e => e.style.display = "");
  return text;
}"""


def english_left(lang, templates):
    """Patterns of the English source texts of these templates that have a translation of their own."""
    patterns = []
    for entry in polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po")):
        if entry.obsolete or not any(path in templates for path, _ in entry.occurrences):
            continue
        for source, text in (
            [(entry.msgid, entry.msgstr_plural[0]), (entry.msgid_plural, entry.msgstr_plural[1])]
            if entry.msgid_plural
            else [(entry.msgid, entry.msgstr)]
        ):
            if text == source:  # a name, the same in both languages
                continue
            words = re.sub(r"<[^>]+>", "", source).replace("%%", "%")  # the page's text has no markup
            parts = [re.escape(p) for p in PLACEHOLDER.split(words)]
            # any case: the admin's CSS shows captions and headings in capitals
            patterns.append(
                (source, re.compile(r"(?<!\w)" + "[^\n]*?".join(parts) + r"(?!\w)", re.IGNORECASE))
            )
    assert patterns, f"no messages of {templates} in the catalogue"
    return patterns


def check_page(page, lang, templates, known):
    assert page.locator("html").get_attribute("lang") == lang
    text = page.evaluate(WITHOUT_MODEL_LIST)
    assert known.lower() in text.lower()
    found = [
        (source, m)
        for source, pattern in english_left(lang, HEADER + templates)
        if (m := pattern.search(text))
    ]
    where = "; ".join(text[max(0, m.start() - 40) : m.end() + 40] for _, m in found)
    assert [source for source, _ in found] == [], f"English left on {page.url}: {where}"


def choose(page, lang):
    page.wait_for_load_state("load")  # forms.js (deferred) sends the chooser's form: it must be there first
    with page.expect_navigation():
        page.select_option("#language-select", lang)


@pytest.fixture
def owner(django_user_model):
    return django_user_model.objects.create_user(username="owner", password="pw-owner", is_staff=True)


def test_an_owner_walks_the_portal_in_finnish_and_the_choice_is_kept(
    page, live_server, ea, wc, settings, owner
):
    settings.SILTA_BASE_URL = live_server.url
    tenant = connect_both(ea, wc, "kahvila")
    Membership.objects.create(tenant=tenant, user=owner, role=Membership.Role.OWNER)

    log_in(page, live_server.url, "owner", "pw-owner")
    assert (
        page.locator("html").get_attribute("lang") == "en"
    )  # the default: the browser asks for nothing else
    assert "Your companies" in page.locator("#tenants-dashboard caption").text_content()
    choose(page, "fi")
    check_page(page, "fi", ["templates/admin/silta_index.html"], "Yrityksesi")
    assert "Ota käyttöön…" in page.locator("tr[data-tenant=kahvila] .integration-status").inner_text()

    page.click("tr[data-tenant=kahvila] a.connect-webshop")
    check_page(
        page, "fi", ["templates/portal/connect_webshop.html"], "Tai: verkkokauppa on Visma Verkkokauppa"
    )
    assert (
        page.locator("#connect-webshop input[type=submit]").get_attribute("value") == "Jatka verkkokauppaan"
    )

    page.goto(f"{live_server.url}/tenants/kahvila/activate/")
    check_page(page, "fi", ["templates/portal/activate.html"], "Otetaanko integraatio käyttöön?")
    assert page.locator("#defaults").count() == 1  # the page with its tables, not only the question

    page.goto(f"{live_server.url}/tenants/kahvila/people/")
    check_page(page, "fi", ["templates/portal/invitations.html"], "Hyväksymättömät kutsut")
    assert "Omistaja" in page.locator("tr.member[data-user=owner] .role").inner_text()

    page.click("#logout-form button")  # the cookie outlives the session
    log_in(page, live_server.url, "owner", "pw-owner")
    check_page(page, "fi", ["templates/admin/silta_index.html"], "Yrityksesi")

    choose(page, "sv")
    check_page(page, "sv", ["templates/admin/silta_index.html"], "Dina företag")
    choose(page, "en")
    assert "Your companies" in page.locator("#tenants-dashboard caption").text_content()


@pytest.mark.parametrize(
    "lang, known, on",
    [
        ("fi", "Saatavilla verkkokaupassa: säännöt", "Käytössä"),
        ("sv", "Tillgänglig i webbutiken: regler", "Aktiv"),
    ],
)
def test_the_visma_webshop_page_in_finnish_and_swedish(page, live_server, ea, owner, lang, known, on):
    tenant = activated(ea)
    Membership.objects.create(tenant=tenant, user=owner, role=Membership.Role.OWNER)
    log_in(page, live_server.url, "owner", "pw-owner")
    choose(page, lang)
    check_page(page, lang, ["templates/admin/silta_index.html"], on)
    page.click(f"tr[data-tenant={tenant.slug}] a.visma-webshop")
    page.check("#id_only_active")
    page.click("#do-preview")  # the preview table and its messages too
    page.wait_for_selector("#preview-summary")
    check_page(page, lang, ["templates/portal/visma_webshop.html"], known)


# The admin pages an owner uses, each with a text it shows in Finnish and in Swedish (a column, a field).
OWNERS_ADMIN_PAGES = [
    ("ordertransfer/", "Kaupan summa", "Butikens summa"),
    (
        "ordertransfer/{order}/change/",
        "Kirjoitettu takaisin verkkokauppaan",
        "Skrivet tillbaka till webbutiken",
    ),
    ("shopmethod/", "Nimi verkkokaupassa", "Namn i webbutiken"),
    ("shopmethod/{method}/change/", "Maksettu etukäteen", "Förbetald"),
    ("ordersettings/{settings}/change/", "Pyöristysraja", "Avrundningsgräns"),
    ("jobschedule/", "Seuraava ajo", "Nästa körning"),
    ("syncrun/", "Käynnistäjä", "Startad av"),
    ("syncrun/{run}/change/", "Vain esikatselu", "Endast förhandsvisning"),
]


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_the_admin_pages_owners_use_read_in_finnish_and_swedish(page, live_server, owner, lang):
    """Order transfers, an order, shop methods, order settings, job schedules and sync runs, at 1,280 px."""
    tenant = make_tenant("kahvila", "1234567-1")  # a row in every table these pages show
    Membership.objects.create(tenant=tenant, user=owner, role=Membership.Role.OWNER)
    ids = {
        "order": OrderTransfer.objects.get(tenant=tenant).pk,
        "method": tenant.shop_methods.get().pk,
        "settings": tenant.order_settings.pk,
        "run": SyncRun.objects.get(tenant=tenant).pk,
    }
    data = stored_texts() | {owner.username}  # the header greets the user by name
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server.url, "owner", "pw-owner")
    choose(page, lang)
    for path, fi, sv in OWNERS_ADMIN_PAGES:
        page.goto(f"{live_server.url}/integration/{path.format(**ids)}")
        assert page.locator("html").get_attribute("lang") == lang, path
        html = page.content()
        assert (fi if lang == "fi" else sv).lower() in html.lower(), path
        assert untranslated_in_html(html, lang, data) == [], f"English of ours on {path} in {lang}"
