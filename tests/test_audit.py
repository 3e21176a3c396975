"""The audit trail: every action a person takes leaves an entry; nobody changes or deletes one;
owners and superusers read it; it exports as CSV without secrets or formulas."""

import csv
import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django import forms
from django.core.management import call_command
from django.urls import reverse
from django_q.models import OrmQ

from integration import tasks
from integration.activation.activate import activate
from integration.activation.fetch import gather
from integration.activation.preflight import check
from integration.eaccounting.client import EAccountingClient
from integration.fields import SecretFormField
from integration.models import (
    AccountingArticle,
    ArticleTemplate,
    AuditEntry,
    AuditEntryIsFinal,
    EAccountingConnection,
    FirstSync,
    ImportItem,
    JobSchedule,
    Membership,
    MethodArticle,
    OrderSettings,
    OrderTransfer,
    ReferenceData,
    ShopMethod,
    SyncEvent,
    SyncRun,
    TaxClassMapping,
    Tenant,
    WebshopConnection,
)
from integration.people import audit
from integration.sync.article_sync import sync_articles
from portal.admin.audit import CSV_COLUMNS
from tests.fixtures.external_logins import approve_at_shop, sign_in_at_visma

from .conftest import activated_on_an_empty_catalogue, connect_catalogue

Action = AuditEntry.Action
pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:integration_auditentry_changelist")
EXPORT = reverse("admin:integration_auditentry_export")


def entries_of(tenant, action, user=None):
    found = AuditEntry.objects.filter(tenant=tenant, action=action)
    return list(found.filter(user=user) if user is not None else found)


def one_entry(tenant, action, user=None):
    found = entries_of(tenant, action, user)
    assert len(found) == 1, [str(e) for e in AuditEntry.objects.all()]
    return found[0]


def assert_no_secret_in_the_trail(*secrets):
    text = " ".join(f"{e.target} {e.detail} {e.username}" for e in AuditEntry.objects.all())
    for secret in secrets:
        assert secret and secret not in text


def user(django_user_model, username, tenant=None, role=Membership.Role.OWNER):
    made = django_user_model.objects.create_user(username=username, password="pw-" + username, is_staff=True)
    if tenant is not None:
        Membership.objects.create(tenant=tenant, user=made, role=role)
    return made


def form_data(response):
    """What an admin change page posts back when Save is pressed unchanged (secrets blank, as rendered)."""
    context = response.context
    pages = [context["adminform"].form]
    for inline in context["inline_admin_formsets"]:
        pages += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in pages:
        for name, field in form.fields.items():
            key, value = form.add_prefix(name), form[name].value()
            if isinstance(field, SecretFormField):
                data[key] = ""
            elif isinstance(field.widget, forms.MultiWidget):
                for i, part in enumerate(field.widget.decompress(value)):
                    data[f"{key}_{i}"] = "" if part is None else str(part)
            elif isinstance(field, forms.BooleanField):
                if value:
                    data[key] = "on"
            elif value is not None:
                data[key] = value
    return data


def saved(response):
    """An admin form POST that went through (a form with errors comes back as 200)."""
    if response.status_code == 200 and "adminform" in response.context:
        pytest.fail(
            f"the form has errors: {response.context['adminform'].form.errors} "
            f"{[fs.formset.errors for fs in response.context['inline_admin_formsets']]}"
        )
    assert response.status_code == 302
    return response


# --- connecting eAccounting: Visma's login (the sandbox), as a browser goes through it ------------------------


def local(url):
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


@pytest.fixture
def company_owner(ea, settings, client, django_user_model):
    settings.SILTA_BASE_URL = (
        "http://127.0.0.1:8000"  # a loopback redirect URI: the login server takes any port
    )
    company = ea.companies()[0]
    tenant = Tenant.objects.create(
        name="Kahvila Testi Oy", slug="kahvila", business_id=company["corporate_identity_number"]
    )
    owner = user(django_user_model, "owner", tenant)
    client.force_login(owner)
    return tenant, owner, company


def connect_eaccounting(client, tenant, company):
    start = client.post(reverse("eaccounting_connect", args=[tenant.slug]))
    assert start.status_code == 302
    page = client.get(local(sign_in_at_visma(start.url, company["name"])), follow=True)
    assert "is connected to eAccounting company" in page.content.decode()


def test_connecting_and_reconnecting_eaccounting_leave_entries(company_owner, client):
    tenant, owner, company = company_owner
    connect_eaccounting(client, tenant, company)
    entry = one_entry(tenant, Action.CONNECTED_EACCOUNTING)
    assert (entry.user, entry.username) == (owner, "owner")
    assert entry.target == f"eAccounting company “{company['name']}”"
    assert entry.detail == "Connected for the first time"

    EAccountingConnection.objects.filter(tenant=tenant).update(status="needs_reconnect")
    connect_eaccounting(client, tenant, company)
    again = entries_of(tenant, Action.CONNECTED_EACCOUNTING)
    assert len(again) == 2 and again[0].detail.startswith(f"Reconnected; before: “{company['name']}”, needs")
    connection = EAccountingConnection.objects.get(tenant=tenant)
    assert_no_secret_in_the_trail(connection.access_token, connection.refresh_token)


def test_a_refused_eaccounting_login_leaves_no_entry(company_owner, client, ea):
    tenant, _, _ = company_owner
    other = ea.companies()[1]  # another business ID: refused
    start = client.post(reverse("eaccounting_connect", args=[tenant.slug]))
    page = client.get(local(sign_in_at_visma(start.url, other["name"])), follow=True)
    assert "Nothing was connected" in page.content.decode()
    assert entries_of(tenant, Action.CONNECTED_EACCOUNTING) == []


# --- connecting the webshop: WooCommerce's key approval (the sandbox posts the keys to the live server) ------


@pytest.fixture
def shop_owner(wc, live_server, settings, django_user_model, client):
    settings.SILTA_BASE_URL = live_server.url
    tenant = Tenant.objects.create(name="Kauppa Oy", slug="kauppa")
    owner = user(django_user_model, "owner", tenant)
    client.force_login(owner)
    return tenant, owner


@pytest.mark.django_db(transaction=True)
def test_connecting_the_webshop_by_key_approval_names_who_started_it(shop_owner, client, wc):
    tenant, owner = shop_owner
    start = client.post(reverse("webshop_connect", args=[tenant.slug]), {"base_url": wc.url})
    assert start.status_code == 302 and start.url.startswith(f"{wc.url}/wc-auth/v1/authorize")
    page = client.get(local(approve_at_shop(wc.url, start.url)), follow=True)
    assert "approved Silta" in page.content.decode()
    entry = one_entry(tenant, Action.CONNECTED_WEBSHOP)
    assert (entry.user, entry.username) == (
        owner,
        "owner",
    )  # the keys came from the shop; the state names the owner
    assert entry.target == f"Webshop {wc.url}" and "key approval" in entry.detail
    connection = WebshopConnection.objects.get(tenant=tenant)
    assert_no_secret_in_the_trail(connection.api_key, connection.api_secret, connection.webhook_secret)


@pytest.mark.django_db(transaction=True)
def test_a_key_approval_replayed_writes_no_second_entry(shop_owner, client, wc):
    tenant, owner = shop_owner
    start = client.post(reverse("webshop_connect", args=[tenant.slug]), {"base_url": wc.url})
    approve_at_shop(wc.url, start.url)
    nonce = parse_qs(urlsplit(start.url).query)["user_id"][0]
    replay = client.post(
        reverse("webshop_keys"),
        {
            "user_id": nonce,
            "consumer_key": "ck_x",
            "consumer_secret": "cs_x",
            "key_permissions": "read_write",
        },
        content_type="application/json",
    )
    assert replay.status_code == 400
    assert one_entry(tenant, Action.CONNECTED_WEBSHOP).user == owner


def test_keys_pasted_in_the_admin_connect_the_webshop_without_showing_them(client, owner_a, tenant_a):
    client.force_login(owner_a)
    shop = tenant_a.webshop_connection
    url = reverse("admin:integration_webshopconnection_change", args=[shop.pk])
    data = {**form_data(client.get(url)), "api_key": "ck_pasted_9f8e7d", "api_secret": "cs_pasted_1a2b3c"}
    saved(client.post(url, data))
    entry = one_entry(tenant_a, Action.CONNECTED_WEBSHOP, owner_a)
    assert entry.target == "Webshop connection WooCommerce of Company A"
    assert "API consumer key (a new secret; not shown)" in entry.detail
    assert "API consumer secret (a new secret; not shown)" in entry.detail
    assert_no_secret_in_the_trail("ck_pasted_9f8e7d", "cs_pasted_1a2b3c", "ck_key_of_a", "cs_secret_of_a")


def test_tokens_pasted_in_the_admin_connect_eaccounting_without_showing_them(client, owner_a, tenant_a):
    client.force_login(owner_a)
    connection = tenant_a.eaccounting_connection
    url = reverse("admin:integration_eaccountingconnection_change", args=[connection.pk])
    saved(client.post(url, {**form_data(client.get(url)), "refresh_token": "refresh-pasted-4711"}))
    entry = one_entry(tenant_a, Action.CONNECTED_EACCOUNTING, owner_a)
    assert "refresh token (a new secret; not shown)" in entry.detail
    assert_no_secret_in_the_trail("refresh-pasted-4711", "refresh-token-of-a", "access-token-of-a")


# --- activating and deactivating (both sandboxes: the pre-flight reads them, webhooks are registered) ---------


@pytest.fixture
def ready(ea, catalogue, live_server, settings, django_user_model, client):
    """A tenant connected to both sandboxes (the shop of either platform), and its owner logged in."""
    settings.SILTA_BASE_URL = live_server.url
    catalogue.empty()
    tenant = connect_catalogue(ea, catalogue, "ready")
    owner = user(django_user_model, "owner", tenant)
    client.force_login(owner)
    return tenant, owner


@pytest.mark.django_db(transaction=True)
def test_activating_leaves_an_entry_and_no_leaves_none(ready, client):
    tenant, owner = ready
    client.post(reverse("tenant_activate", args=[tenant.slug]), {"answer": "no"})
    assert entries_of(tenant, Action.ACTIVATED) == []
    response = client.post(reverse("tenant_activate", args=[tenant.slug]), {"answer": "yes"})
    assert response.status_code == 302 and response.url == reverse("first_sync", args=[tenant.slug])
    entry = one_entry(tenant, Action.ACTIVATED)
    assert (entry.user, entry.target) == (owner, tenant.name)
    assert "4 tax class mappings" in entry.detail


@pytest.mark.django_db(transaction=True)
def test_deactivating_asks_first_then_leaves_an_entry(ready, client, catalogue):
    tenant, owner = ready
    activate(tenant, check(gather(tenant)))
    subscribed = len(catalogue.webhooks())
    assert subscribed
    url = reverse("tenant_deactivate", args=[tenant.slug])
    assert (
        f'href="{url}"' in client.get(reverse("admin:index")).content.decode()
    )  # the dashboard's Deactivate…
    page = client.get(url).content.decode()
    assert f"Deactivate the integration of {tenant.name}?" in page and "webhooks are removed" in page
    client.post(url, {"answer": "no"})
    tenant.refresh_from_db()
    assert tenant.is_active and entries_of(tenant, Action.DEACTIVATED) == []
    client.post(url, {"answer": "yes"})
    tenant.refresh_from_db()
    assert not tenant.is_active and catalogue.webhooks() == []
    entry = one_entry(tenant, Action.DEACTIVATED)
    assert (entry.user, entry.target) == (owner, tenant.name)
    assert entry.detail.startswith(f"{subscribed} webhook(s) removed")


# --- the first sync: Yes (create), confirmed overwrites, undo ------------------------------------------------


@pytest.fixture
def first(tenant_a):
    first = FirstSync.objects.create(tenant=tenant_a, status=FirstSync.Status.PREVIEW)
    for kind, sku in [
        (ImportItem.Kind.CREATE, "NEW-1"),
        (ImportItem.Kind.CREATE, "NEW-2"),
        (ImportItem.Kind.OVERWRITE, "OLD-7"),
        (ImportItem.Kind.REJECT, ""),
    ]:
        ImportItem.objects.create(first_sync=first, tenant=tenant_a, kind=kind, sku=sku)
    return first


def step(client, tenant, **data):
    return client.post(reverse("first_sync", args=[tenant.slug]), data)


def test_applying_the_first_sync_leaves_an_entry_naming_the_articles(client, owner_a, tenant_a, first):
    client.force_login(owner_a)
    step(client, tenant_a, step="create")
    entry = one_entry(tenant_a, Action.APPLIED_FIRST_SYNC)
    assert (entry.user, entry.target) == (owner_a, f"First sync #{first.pk}")
    assert entry.detail == "2 article(s) to create in eAccounting: NEW-1, NEW-2"


def test_confirming_overwrites_leaves_an_entry_and_an_unticked_box_none(client, owner_a, tenant_a, first):
    FirstSync.objects.filter(pk=first.pk).update(status=FirstSync.Status.CREATED)
    client.force_login(owner_a)
    step(client, tenant_a, step="overwrite")  # the confirmation not ticked: refused
    assert entries_of(tenant_a, Action.CONFIRMED_OVERWRITES) == []
    step(client, tenant_a, step="overwrite", confirm="yes")
    entry = one_entry(tenant_a, Action.CONFIRMED_OVERWRITES)
    assert entry.user == owner_a and entry.detail == "1 article(s) to overwrite in eAccounting: OLD-7"


def test_undoing_the_import_leaves_an_entry(client, owner_a, tenant_a, first):
    client.force_login(owner_a)
    step(client, tenant_a, step="undo")  # not possible from the preview: nothing happens, nothing recorded
    assert entries_of(tenant_a, Action.UNDID_IMPORT) == []
    FirstSync.objects.filter(pk=first.pk).update(status=FirstSync.Status.DONE)
    step(client, tenant_a, step="undo")
    entry = one_entry(tenant_a, Action.UNDID_IMPORT)
    assert (entry.user, entry.target) == (owner_a, f"First sync #{first.pk}")


# --- confirming a mass price change: the dashboard's button, and manage.py sync --confirm-mass-change -------


@pytest.fixture
def guarded_a(tenant_a):
    Tenant.objects.filter(pk=tenant_a.pk).update(is_active=True)
    tenant_a.refresh_from_db()
    return SyncRun.objects.create(
        tenant=tenant_a,
        kind=SyncRun.Kind.ARTICLES,
        status=SyncRun.Status.NEEDS_CONFIRMATION,
        error="This run would change the price of 40% of the shop's products (limit 20%).",
    )


def queued():
    return [(task.task["func"], task.task["args"]) for task in OrmQ.objects.all()]


def test_the_owner_confirms_a_mass_change_on_the_dashboard(
    client, owner_a, guarded_a, django_capture_on_commit_callbacks
):
    tenant = guarded_a.tenant
    client.force_login(owner_a)
    page = client.get(reverse("admin:index")).content.decode()
    url = reverse("confirm_mass_change", args=[tenant.slug])
    assert f'action="{url}" class="confirm-mass-change"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    assert queued() == [(tasks.sync_articles.path, (tenant.pk, "manual", False, True))]
    entry = one_entry(tenant, Action.CONFIRMED_MASS_CHANGE)
    assert (entry.user, entry.target) == (owner_a, str(guarded_a))
    assert "40% of the shop's products" in entry.detail


def test_a_member_cannot_confirm_a_mass_change(client, django_user_model, guarded_a):
    tenant = guarded_a.tenant
    member = user(django_user_model, "member_a", tenant, Membership.Role.MEMBER)
    client.force_login(member)
    page = client.get(reverse("admin:index")).content.decode()
    assert (
        "A mass price change waits for confirmation" in page and "an owner of the company confirms it" in page
    )
    assert reverse("confirm_mass_change", args=[tenant.slug]) not in page
    assert client.post(reverse("confirm_mass_change", args=[tenant.slug])).status_code == 403
    assert entries_of(tenant, Action.CONFIRMED_MASS_CHANGE) == [] and queued() == []


def test_nothing_waiting_confirms_nothing(client, owner_a, guarded_a, django_capture_on_commit_callbacks):
    tenant = guarded_a.tenant
    SyncRun.objects.create(
        tenant=tenant, kind=SyncRun.Kind.ARTICLES, status=SyncRun.Status.SUCCEEDED
    )  # newer
    client.force_login(owner_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("confirm_mass_change", args=[tenant.slug]))
    assert entries_of(tenant, Action.CONFIRMED_MASS_CHANGE) == [] and queued() == []


@pytest.fixture
def guarded(ea, catalogue, live_server, settings, django_user_model):
    """Both sandboxes, activated and synced once; then five prices doubled: the guard stops the next run."""
    settings.SILTA_BASE_URL = live_server.url
    tenant = activated_on_an_empty_catalogue(ea, catalogue, "guarded")
    sync_articles(tenant)
    settings.SILTA_MASS_CHANGE_SHARE = 0.1
    eaccounting = EAccountingClient(tenant.eaccounting_connection)
    for article in [a for a in eaccounting.articles() if a.is_active and a.send_to_webshop][:5]:
        eaccounting.update_article(article, NetPrice=float(article.net_price * 2))
    assert tasks.sync_articles(tenant.pk, "manual").startswith("Waiting for confirmation")
    return tenant


@pytest.mark.django_db(transaction=True)
def test_the_confirmation_the_button_queues_applies_the_prices(guarded, client, django_user_model):
    owner = user(django_user_model, "owner", guarded)
    client.force_login(owner)
    client.post(reverse("confirm_mass_change", args=[guarded.slug]))
    confirming = [args for func, args in queued() if func == tasks.sync_articles.path and args[3:] == (True,)]
    assert confirming == [(guarded.pk, "manual", False, True)]
    assert tasks.sync_articles(*confirming[0]).startswith("Succeeded")  # what the task cluster runs
    latest = SyncRun.objects.filter(tenant=guarded).first()
    assert latest.events.filter(outcome=SyncEvent.Outcome.UPDATED).count() == 5
    assert one_entry(guarded, Action.CONFIRMED_MASS_CHANGE).user == owner


@pytest.mark.django_db(transaction=True)
def test_confirming_a_mass_change_from_the_command_line_leaves_an_entry(guarded):
    out = io.StringIO()
    call_command("sync", guarded.slug, "--confirm-mass-change", stdout=out)
    assert "Succeeded" in out.getvalue()
    entry = one_entry(guarded, Action.CONFIRMED_MASS_CHANGE)
    assert entry.user is None and entry.username == "manage.py sync"
    assert entry.target.startswith("Article sync") and "would change the price" in entry.detail


# --- changes of the tenant's settings in the admin: templates, mappings, order settings, schedules, … -------

CHANGES = [  # model, field, new value, what the entry's detail says
    # coding_name is kept in step with the coding picked from eAccounting's list (not typed): another field here
    (ArticleTemplate, "is_stock", False, "stock item: True → False"),
    (TaxClassMapping, "tax_class", "reduced-rate", "tax class: reduced-a → reduced-rate"),
    (OrderSettings, "enabled", False, "transfer web orders: True → False"),
    (JobSchedule, "minutes", 30, "every (minutes): 3 → 30"),
    (
        WebshopConnection,
        "base_url",
        "https://kauppa-a.example.fi",
        "shop URL: http://shop-a.example.fi → https://kauppa-a.example.fi",
    ),
    (Tenant, "name", "Company A Oy", "name: Company A → Company A Oy"),
]


@pytest.mark.parametrize("model,field,value,detail", CHANGES, ids=[c[0].__name__ for c in CHANGES])
def test_a_change_in_the_admin_leaves_an_entry_with_what_changed(
    client, owner_a, tenant_a, model, field, value, detail
):
    row = tenant_a if model is Tenant else model.objects.get(tenant=tenant_a)
    url = reverse(f"admin:integration_{model._meta.model_name}_change", args=[row.pk])
    client.force_login(owner_a)
    data = form_data(client.get(url))
    saved(client.post(url, data))  # Save with nothing changed: nothing happened, nothing recorded
    assert entries_of(tenant_a, Action.CHANGED, owner_a) == []
    if value is False:
        data.pop(field)
    else:
        data[field] = value
    saved(client.post(url, data))
    entry = one_entry(tenant_a, Action.CHANGED, owner_a)
    row.refresh_from_db()
    assert entry.target == audit.what(row) and entry.username == "owner_a"
    assert entry.detail == detail


def test_template_articles_of_a_shipping_method_added_and_removed_are_recorded(client, owner_a, tenant_a):
    method = ShopMethod.objects.get(tenant=tenant_a)
    old = MethodArticle.objects.get(method=method)
    new = AccountingArticle.objects.create(
        tenant=tenant_a, article_id="ship-14", number="SHIP-14", name="Posti 14 %", vat_rate="14"
    )
    # the delivery method is picked from eAccounting's list as last read
    ReferenceData.objects.create(
        tenant=tenant_a,
        name="picker.delivery_methods",
        data={"items": [{"id": "POSTI", "label": "Posti (POSTI)"}]},
    )
    url = reverse("admin:integration_shopmethod_change", args=[method.pk])
    client.force_login(owner_a)
    data = form_data(client.get(url))
    data.update({"articles-0-DELETE": "on", "articles-1-article": new.pk, "delivery_method_code": "POSTI"})
    saved(client.post(url, data))
    recorded = entries_of(tenant_a, Action.CHANGED, owner_a)
    assert {e.target for e in recorded} == {audit.what(method)}
    details = sorted(e.detail for e in recorded)
    assert details == sorted(
        [
            "eAccounting delivery method: (empty) → POSTI",
            f"Template article {MethodArticle.objects.get(method=method, article=new)}: added",
            f"Template article {old}: removed",
        ]
    ), details


def test_adding_and_deleting_in_the_admin_leave_entries(client, owner_a, tenant_a):
    client.force_login(owner_a)
    saved(
        client.post(
            reverse("admin:integration_taxclassmapping_add"),
            {"tenant": tenant_a.pk, "vat_rate": "10.00", "tax_class": "books"},
        )
    )
    added = one_entry(tenant_a, Action.ADDED, owner_a)
    assert (
        added.target == "Tax class mapping 10.00 % → books" and "tax class: (empty) → books" in added.detail
    )

    mapping = TaxClassMapping.objects.get(tenant=tenant_a, tax_class="reduced-a")
    saved(
        client.post(reverse("admin:integration_taxclassmapping_delete", args=[mapping.pk]), {"post": "yes"})
    )
    template = ArticleTemplate.objects.get(tenant=tenant_a)
    saved(
        client.post(
            reverse("admin:integration_articletemplate_changelist"),
            {"action": "delete_selected", "_selected_action": [template.pk], "post": "yes"},
        )
    )
    deleted = {e.target for e in entries_of(tenant_a, Action.DELETED, owner_a)}
    assert deleted == {"Tax class mapping 14.00 % → reduced-a", audit.what(template)}
    assert not TaxClassMapping.objects.filter(pk=mapping.pk).exists()


def test_a_form_with_errors_records_nothing(client, owner_a, tenant_a):
    schedule = JobSchedule.objects.get(tenant=tenant_a)
    url = reverse("admin:integration_jobschedule_change", args=[schedule.pk])
    client.force_login(owner_a)
    response = client.post(url, {**form_data(client.get(url)), "minutes": 0})
    assert response.status_code == 200 and response.context["adminform"].form.errors
    assert entries_of(tenant_a, Action.CHANGED, owner_a) == []


# --- retrying orders -----------------------------------------------------------------------------------------


def test_retrying_orders_leaves_an_entry_per_tenant_with_the_order_numbers(
    client, owner_a, superuser, tenant_a, tenant_b, django_capture_on_commit_callbacks
):
    url = reverse("admin:integration_ordertransfer_changelist")
    both = list(OrderTransfer.objects.filter(tenant__in=[tenant_a, tenant_b]).values_list("pk", flat=True))
    client.force_login(owner_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "retry", "_selected_action": both})
    entry = one_entry(tenant_a, Action.RETRIED)
    assert (entry.user, entry.target) == (owner_a, "Web orders W-a")
    assert entries_of(tenant_b, Action.RETRIED) == []  # not owner_a's to retry

    client.force_login(superuser)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "retry", "_selected_action": both})
    assert one_entry(tenant_b, Action.RETRIED).user == superuser
    assert len(entries_of(tenant_a, Action.RETRIED)) == 2


# --- append-only ---------------------------------------------------------------------------------------------


def test_the_model_refuses_to_change_or_delete_an_entry(tenant_a):
    entry = audit.record(tenant_a, None, Action.RETRIED, "Web orders W-1", username="test")
    entry.target = "Web orders W-2"
    with pytest.raises(AuditEntryIsFinal):
        entry.save()
    with pytest.raises(AuditEntryIsFinal):
        entry.delete()
    assert AuditEntry.objects.get(pk=entry.pk).target == "Web orders W-1"


@pytest.mark.parametrize("who", ["owner_a", "superuser"])
def test_nobody_changes_or_deletes_an_entry_through_the_admin(client, owner_a, superuser, tenant_a, who):
    entry = AuditEntry.objects.get(tenant=tenant_a)
    before = (entry.target, entry.detail, entry.action)
    client.force_login({"owner_a": owner_a, "superuser": superuser}[who])
    change = reverse("admin:integration_auditentry_change", args=[entry.pk])
    delete = reverse("admin:integration_auditentry_delete", args=[entry.pk])
    page = client.get(change)
    assert page.status_code == 200  # read-only
    assert 'name="target"' not in page.content.decode() and 'name="_save"' not in page.content.decode()
    assert client.post(change, {"target": "rewritten", "action": "retried", "detail": ""}).status_code == 403
    assert client.get(delete).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:integration_auditentry_add")).status_code == 403
    listed = client.get(CHANGELIST)
    assert "delete_selected" not in listed.content.decode()
    client.post(CHANGELIST, {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"})
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert (entry.target, entry.detail, entry.action) == before


def test_a_deleted_user_is_still_named(django_user_model, tenant_a, owner_a):
    audit.record(tenant_a, owner_a, Action.RETRIED, "Web orders W-a")
    owner_a.delete()  # the entry's user link is cleared (an UPDATE, which the trail allows), the name stays
    entry = AuditEntry.objects.get(tenant=tenant_a, action=Action.RETRIED)
    assert entry.user is None and entry.username == "owner_a"


# --- who sees the trail: the tenant's owners and superusers ----------------------------------------------------


def test_members_and_outsiders_do_not_see_the_trail(client, django_user_model, tenant_a, outsider):
    member = user(django_user_model, "member_a", tenant_a, Membership.Role.MEMBER)
    entry = AuditEntry.objects.get(tenant=tenant_a)
    for who in (member, outsider):
        client.force_login(who)
        assert client.get(CHANGELIST).status_code == 403
        assert client.get(EXPORT).status_code == 403
        assert client.get(reverse("admin:integration_auditentry_change", args=[entry.pk])).status_code in (
            302,
            403,
        )
        assert "auditentry" not in client.get(reverse("admin:index")).content.decode()


def test_an_owner_sees_only_their_own_tenants_entries(
    client, django_user_model, owner_a, tenant_a, tenant_b, superuser
):
    Membership.objects.create(
        tenant=tenant_b, user=owner_a, role=Membership.Role.MEMBER
    )  # a member of B: still not B's
    client.force_login(owner_a)
    response = client.get(CHANGELIST)
    assert {e.tenant for e in response.context["cl"].result_list} == {tenant_a}
    assert "auditentry" in client.get(reverse("admin:index")).content.decode()
    b_entry = AuditEntry.objects.get(tenant=tenant_b)
    assert client.get(reverse("admin:integration_auditentry_change", args=[b_entry.pk])).status_code == 302
    assert "Company B" not in client.get(EXPORT).content.decode()

    client.force_login(superuser)
    everything = client.get(CHANGELIST).context["cl"].result_list
    assert {e.tenant for e in everything} == {tenant_a, tenant_b}


# --- CSV export ------------------------------------------------------------------------------------------------


def read_csv(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="audit-trail.csv"'
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_export_has_every_visible_entry_and_quotes_formulas(client, owner_a, tenant_a, tenant_b):
    for target in ['=HYPERLINK("http://evil.example","x")', "+1", "-2", "@SUM(A1)", "Plain target"]:
        audit.record(tenant_a, owner_a, Action.CHANGED, target, detail="=1+1")
    audit.record(tenant_b, None, Action.CHANGED, "=B's own", username="someone")
    client.force_login(owner_a)
    assert 'class="export-csv"' in client.get(CHANGELIST).content.decode()
    rows = read_csv(client.get(EXPORT))
    assert rows[0] == CSV_COLUMNS
    targets = {row[4] for row in rows[1:]}
    assert targets == {
        '\'=HYPERLINK("http://evil.example","x")',
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "Plain target",
        "Article template 25.5 % of a",
    }
    recorded = [row for row in rows[1:] if row[4] == "Plain target"][0]
    assert recorded[1:4] == ["Company A", "owner_a", "Changed a setting"] and recorded[5] == "'=1+1"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", recorded[0])


def test_the_export_follows_the_changelists_filters_and_the_action_exports_the_selected(
    client, owner_a, tenant_a
):
    retried = audit.record(tenant_a, owner_a, Action.RETRIED, "Web orders W-9")
    audit.record(tenant_a, owner_a, Action.ACTIVATED, "Company A")
    client.force_login(owner_a)
    rows = read_csv(client.get(EXPORT, {"action__exact": "retried"}))
    assert [row[4] for row in rows[1:]] == ["Web orders W-9"]
    rows = read_csv(client.post(CHANGELIST, {"action": "export_csv", "_selected_action": [retried.pk]}))
    assert [row[4] for row in rows[1:]] == ["Web orders W-9"]
