"""Customers' personal data: erasure leaves an e-mail nowhere in the database or the logs, retention
blanks old personal data and keeps rows, counts and exactly once, and the erasure page is the owners'."""

import io
import logging
import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_q.models import OrmQ, Schedule, Task
from django_q.signing import SignedPackage
from django_q.tasks import async_task

from integration.eaccounting.client import EAccountingClient
from integration.models import (
    AccountingCustomer,
    AuditEntry,
    Membership,
    OrderEvent,
    OrderSettings,
    OrderTransfer,
    SyncEvent,
    SyncRun,
    Tenant,
)
from integration.orders import reference
from integration.orders.transfer import transfer_orders
from integration.privacy import erasure, personal_data
from integration.scheduling import installation as ops_signals
from integration.scheduling import ops_tasks
from integration.sync.article_sync import sync_articles
from integration.webshops.base import Address, ShopOrder
from integration.webshops.identity import shop_identity
from tests.conftest import activated_on_an_empty_catalogue
from tests.orders.conftest import PRIVATE, shop  # noqa: F401  (the fixture: both sandboxes, an activated tenant)

TEXT_TYPES = ("text", "character varying", "json", "jsonb")


def tables_mentioning(*values) -> dict[str, int]:
    """Every table, every text or JSON column, searched with SQL: {"table.column": rows} that mention a value."""
    found = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                "AND data_type = ANY(%s)",
                [table, list(TEXT_TYPES)],
            )
            for (column,) in cursor.fetchall():
                for value in values:
                    cursor.execute(
                        f'SELECT count(*) FROM "{table}" WHERE "{column}"::text ILIKE %s', [f"%{value}%"]
                    )
                    if n := cursor.fetchone()[0]:
                        found[f"{table}.{column}"] = found.get(f"{table}.{column}", 0) + n
    return found


def tasks_mentioning(*values) -> int:
    """django-q2 keeps task arguments and results pickled, out of SQL's sight: read them."""
    rows = [repr(t) for t in Task.objects.values_list("name", "args", "kwargs", "result")]
    rows += [repr(SignedPackage.loads(p)) for p in OrmQ.objects.values_list("payload", flat=True)]
    return sum(1 for r in rows for v in values if v.lower() in r.lower())


def customer(email, first="Eeva", last="Poistettava"):
    return {**PRIVATE, "first_name": first, "last_name": last, "email": email}


def eaccounting_emails(shop) -> list[str]:  # noqa: F811
    found = shop.ea.control("GET", f"companies/{shop.company}/resources/customers")
    return [c.get("EmailAddress") for c in (found.values() if isinstance(found, dict) else found)]


@pytest.fixture
def unique_email():
    return f"Erase.Me.{uuid.uuid4().hex[:10]}@Example.fi"  # mixed case, as customers type them


@pytest.mark.django_db(transaction=True)
def test_after_erasing_an_email_no_table_and_no_log_line_holds_it(shop, unique_email, caplog):  # noqa: F811
    for name in ("integration", "django", ""):
        caplog.set_level(logging.DEBUG, logger=name)
    email = unique_email.lower()
    ours = shop.order([("A-255", 1)], billing=customer(unique_email))
    other = shop.order([("B-14", 2)], billing=customer("stays@example.fi", "Kalle", "Pysyvä"))
    assert transfer_orders(shop.tenant).status == "succeeded"
    transfers = {t.shop_order_id: t for t in OrderTransfer.objects.filter(tenant=shop.tenant)}
    assert {t.status for t in transfers.values()} == {OrderTransfer.Status.DONE}
    # what an older version left: a refusal quoted into an event, a name in an audit entry
    run = SyncRun.objects.filter(tenant=shop.tenant, kind=SyncRun.Kind.ORDERS).first()
    SyncEvent.objects.create(
        run=run,
        tenant=shop.tenant,
        outcome=SyncEvent.Outcome.SKIPPED,
        item=ours["number"],
        reason=f"eAccounting refused it: EmailAddress {unique_email} is not valid",
        fields={"customer": ["Eeva Poistettava", ""]},
    )
    AuditEntry.objects.create(
        tenant=shop.tenant,
        username="owner",
        action=AuditEntry.Action.RETRIED,
        target=f"Order {ours['number']}",
        detail=f"for {email}",
    )
    async_task(
        "integration.privacy.personal_data.hash_prefix", unique_email, sync=True
    )  # a finished task that carried it
    async_task(
        "integration.privacy.personal_data.hash_prefix", unique_email
    )  # and one still queued (the ORM broker)
    assert tables_mentioning(email, "Eeva Poistettava")  # the search does find what is there
    assert tasks_mentioning(email) == 2

    before_erasure = AccountingCustomer.objects.get(tenant=shop.tenant, email=email)
    out = io.StringIO()
    call_command("erase_customer", unique_email, "--tenant", shop.tenant.slug, stdout=out)

    assert tables_mentioning(email, "Eeva Poistettava") == {}
    assert tasks_mentioning(email) == 0
    report = out.getvalue()
    assert "customer records (copy of eAccounting's): 1 erased" in report
    assert "task results (deleted): 1 erased" in report and "queued tasks (deleted): 1 erased" in report
    assert "run events: 1 erased" in report and "audit entries (redacted): 1 erased" in report
    assert SyncEvent.objects.get(tenant=shop.tenant, fields__has_key="customer").reason == (
        "eAccounting refused it: EmailAddress [erased] is not valid"
    )
    assert "1 order records of this customer kept" in report and "Nothing is erased in eAccounting" in report
    assert email not in report.lower()
    gone = AccountingCustomer.objects.get(tenant=shop.tenant, customer_id=before_erasure.customer_id)
    assert (gone.name, gone.email, gone.email_hash, gone.is_private) == ("", "", "", True)
    # the other customer is untouched
    kept = AccountingCustomer.objects.get(tenant=shop.tenant, email="stays@example.fi")
    assert kept.name == "Kalle Pysyvä" and kept.email_hash == personal_data.email_hash("stays@example.fi")
    # the order records keep everything exactly once needs; eAccounting keeps its customer
    after = OrderTransfer.objects.get(tenant=shop.tenant, shop_order_id=ours["id"])
    before = transfers[ours["id"]]
    assert (after.status, after.document_id, after.document_total, after.customer_id) == (
        before.status,
        before.document_id,
        before.document_total,
        before.customer_id,
    )
    assert email in eaccounting_emails(shop)
    # one audit entry, which does not say whose data it was
    (entry,) = AuditEntry.objects.filter(tenant=shop.tenant, action=AuditEntry.Action.ERASED_PERSONAL_DATA)
    assert (
        entry.target == f"customer #{personal_data.hash_prefix(email)}"
        and len(entry.target) == len("customer #") + 8
    )
    assert "1 customer records" in entry.detail and email not in (entry.target + entry.detail).lower()
    assert entry.username == "manage.py erase_customer"
    # nothing reached the log: not the e-mail, the name, nor a secret
    assert caplog.records  # the capture was on
    logged = caplog.text.lower()
    secrets = (
        shop.tenant.webshop_connection.api_key,
        shop.tenant.webshop_connection.api_secret,
        shop.tenant.eaccounting_connection.access_token,
        shop.tenant.eaccounting_connection.refresh_token,
    )
    assert email not in logged and "eeva poistettava" not in logged and "stays@example.fi" not in logged
    assert not [s for s in secrets if s and s.lower() in logged]
    # exactly once still: the same orders again (a webhook) make no second document
    transfer_orders(shop.tenant, trigger="webhook", order_ids=[ours["id"], other["id"]])
    refs = [d["YourReference"] for d in shop.documents()]
    assert sorted(refs) == sorted([ours["number"], other["number"]])


@pytest.mark.django_db(transaction=True)
def test_a_dry_run_shows_what_would_go_and_changes_nothing(shop, unique_email):  # noqa: F811
    shop.order([("A-255", 1)], billing=customer(unique_email))
    transfer_orders(shop.tenant)
    out = io.StringIO()
    call_command("erase_customer", unique_email, "--dry-run", stdout=out)  # every company's records
    assert "customer records (copy of eAccounting's): 1 would be erased" in out.getvalue()
    assert "Dry run: nothing was changed." in out.getvalue()
    assert AccountingCustomer.objects.filter(email=unique_email.lower(), name="Eeva Poistettava").count() == 1
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.ERASED_PERSONAL_DATA).exists()


def age(queryset, days, *fields):
    when = timezone.now() - timedelta(days=days)
    queryset.update(**dict.fromkeys(fields, when))


@pytest.mark.django_db(transaction=True)
def test_retention_blanks_old_personal_data_keeps_rows_counts_and_exactly_once(shop, unique_email):  # noqa: F811
    email, tenant = unique_email.lower(), shop.tenant
    first = shop.order([("A-255", 1)], billing=customer(unique_email))
    shop.order(
        [("B-14", 1)],
        payment_method="cod",
        fee_lines=[{"name": "Postiennakko", "total": "4.00"}],
        billing=customer(unique_email),
    )  # waits: no template for the method
    run = transfer_orders(tenant)
    done = OrderTransfer.objects.get(tenant=tenant, shop_order_id=first["id"])
    assert (
        done.status == OrderTransfer.Status.DONE
        and SyncEvent.objects.filter(run=run).exclude(reason="").count() == 2
    )
    copy = AccountingCustomer.objects.get(tenant=tenant, email=email)
    counts, events = dict(run.counts), SyncEvent.objects.filter(run=run).count()

    assert ops_tasks.prune_personal_data() == "nothing to blank"  # all of it is recent
    age(OrderTransfer.objects.filter(tenant=tenant), 100, "created_at", "updated_at")
    age(SyncEvent.objects.filter(run=run), 100, "created_at")
    Tenant.objects.filter(pk=tenant.pk).update(personal_data_retention_days=120)
    assert ops_tasks.prune_personal_data() == "nothing to blank"  # the tenant keeps it 120 days
    Tenant.objects.filter(pk=tenant.pk).update(personal_data_retention_days=90)
    text = ops_tasks.prune_personal_data()
    assert "AccountingCustomer: 1" in text and "SyncEvent: 2" in text

    copy.refresh_from_db()
    assert (copy.name, copy.email, copy.email_hash) == ("", "", personal_data.email_hash(email))
    run.refresh_from_db()
    assert run.counts == counts and SyncEvent.objects.filter(run=run).count() == events
    assert set(SyncEvent.objects.filter(run=run).values_list("reason", flat=True)) == {""}
    assert sorted(SyncEvent.objects.filter(run=run).values_list("item", flat=True)) == sorted(
        [first["number"], OrderTransfer.objects.exclude(pk=done.pk).get(tenant=tenant).shop_order_number]
    )
    kept = OrderTransfer.objects.get(pk=done.pk)
    same = (
        "status",
        "document_id",
        "document_number",
        "document_total",
        "customer_id",
        "shop_total",
        "shop_order_number",
    )
    assert [getattr(kept, f) for f in same] == [getattr(done, f) for f in same]
    waiting = OrderTransfer.objects.exclude(pk=done.pk).get(tenant=tenant)
    assert (
        waiting.status == OrderTransfer.Status.WAITING and "template" in waiting.reason
    )  # still says what to fix
    assert tables_mentioning(email) == {}
    assert ops_tasks.prune_personal_data() == "nothing to blank"  # done once

    # exactly once after pruning: the order again makes no second document; the customer comes back, not anew
    transfer_orders(tenant, trigger="webhook", order_ids=[first["id"]])
    second = shop.order([("A-255", 2)], billing=customer(unique_email.upper()))
    transfer_orders(tenant)
    docs = shop.documents()
    assert [d["YourReference"] for d in docs].count(first["number"]) == 1
    assert {d["CustomerId"] for d in docs} == {done.customer_id}
    assert (
        OrderTransfer.objects.get(tenant=tenant, shop_order_id=second["id"]).customer_id == done.customer_id
    )
    assert eaccounting_emails(shop).count(email) == 1


@pytest.mark.django_db
def test_old_order_runs_lose_their_error_but_each_kinds_latest_run_keeps_it(tenant_a):
    old = SyncRun.objects.create(
        tenant=tenant_a,
        kind=SyncRun.Kind.ORDERS,
        error="EAccountingError: x@example.fi",
        counts={"created": 3},
    )
    latest = SyncRun.objects.create(tenant=tenant_a, kind=SyncRun.Kind.ORDERS, error="EAccountingError: y")
    articles = SyncRun.objects.create(tenant=tenant_a, kind=SyncRun.Kind.ARTICLES, error="ServerError")
    age(SyncRun.objects.filter(pk__in=[old.pk, articles.pk]), 200, "started_at")
    age(SyncRun.objects.filter(pk=latest.pk), 100, "started_at")
    ops_tasks.prune_personal_data()
    assert SyncRun.objects.get(pk=old.pk).error == "" and SyncRun.objects.get(pk=old.pk).counts == {
        "created": 3
    }
    assert (
        SyncRun.objects.get(pk=latest.pk).error == "EAccountingError: y"
    )  # the dashboard shows the last error
    assert SyncRun.objects.get(pk=articles.pk).error == "ServerError"  # not about customers


@pytest.mark.django_db
def test_an_orders_old_events_lose_the_reasons_they_quote_and_keep_the_rest(tenant_a):
    transfer = OrderTransfer.objects.create(tenant=tenant_a, shop_order_id=77, shop_order_number="77")
    quoted = {"step": "refund", "reasons": ["eAccounting refused it: maija.virtanen@example.fi"]}
    old = OrderEvent.objects.create(
        tenant=tenant_a,
        transfer=transfer,
        kind="waiting",
        at=timezone.now() - timedelta(days=200),
        params=quoted,
    )
    new = OrderEvent.objects.create(
        tenant=tenant_a, transfer=transfer, kind="waiting", at=timezone.now(), params=quoted
    )
    ops_tasks.prune_personal_data()
    assert OrderEvent.objects.get(pk=old.pk).params == {"step": "refund"}  # kind, time and step stay
    assert OrderEvent.objects.get(pk=new.pk).params == quoted  # within the retention
    erasure.erase("maija.virtanen@example.fi", tenant_a)  # the erasure reads every table, events too
    assert "maija.virtanen" not in str(OrderEvent.objects.get(pk=new.pk).params)


@pytest.mark.django_db
def test_the_pruning_runs_daily_as_an_installation_schedule():
    ops_signals.ensure_schedules()
    (schedule,) = Schedule.objects.filter(name=ops_signals.PRUNE_PERSONAL_DATA)
    assert (
        schedule.func == "integration.scheduling.ops_tasks.prune_personal_data"
        and schedule.schedule_type == Schedule.DAILY
    )
    assert (timezone.localtime(schedule.next_run).hour, timezone.localtime(schedule.next_run).minute) == (
        3,
        30,
    )
    ops_signals.ensure_schedules()
    assert Schedule.objects.filter(name=ops_signals.PRUNE_PERSONAL_DATA).count() == 1


@pytest.mark.django_db
def test_the_retention_is_at_least_a_week_and_90_days_by_default():
    tenant = Tenant.objects.create(name="T", slug="t")
    assert tenant.personal_data_retention_days == 90
    tenant.personal_data_retention_days = 6
    with pytest.raises(ValidationError) as refused:
        tenant.full_clean()
    assert "personal_data_retention_days" in refused.value.message_dict


def test_debug_logging_never_includes_sql_parameters_or_request_urls():
    assert logging.getLogger("django.db.backends").getEffectiveLevel() > logging.DEBUG
    assert logging.getLogger("urllib3").getEffectiveLevel() > logging.DEBUG


def test_redaction_names_the_order_not_the_person():
    order = ShopOrder.__new__(ShopOrder)
    order.billing = Address(
        first_name="Maija",
        last_name="Meikäläinen",
        email="Maija@Example.fi",
        address_1="Kauppakatu 1",
        phone="+358401234567",
    )
    order.shipping = Address(first_name="Matti", last_name="Meikäläinen", address_1="Kuja 2", phone="112")
    values = personal_data.order_values(order)
    assert values == {
        "Maija Meikäläinen",
        "Maija@Example.fi",
        "Kauppakatu 1",
        "+358401234567",
        "Matti Meikäläinen",
        "Kuja 2",
    }  # "112": too short to tell from an ordinary number
    text = "EmailAddress maija@example.FI is not valid for MAIJA MEIKÄLÄINEN at Kauppakatu 1; call 112"
    assert (
        personal_data.redact(text, values)
        == "EmailAddress [erased] is not valid for [erased] at [erased]; call 112"
    )
    assert personal_data.redact_json({"who": ["Maija Meikäläinen"], "n": 1}, values) == {
        "who": ["[erased]"],
        "n": 1,
    }
    assert personal_data.hash_prefix(" Maija@Example.fi") == personal_data.email_hash("maija@example.fi")[:8]
    assert personal_data.summary({"a": 2, "b": 0}, str.upper) == "1 customer's data erased: 2 A"


# --- the erasure page: owners of the company and superusers ---------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who,target,allowed",
    [
        ("owner_a", "a", True),
        ("owner_a", "b", False),
        ("member_b", "b", False),
        ("member_b", "a", False),
        ("outsider", "a", False),
        ("superuser", "b", True),
    ],
)
def test_the_erasure_page_is_for_the_companys_owners(
    client, three_users, superuser, tenant_a, tenant_b, who, target, allowed
):
    tenant = {"a": tenant_a, "b": tenant_b}[target]
    client.force_login({**three_users, "superuser": superuser}[who])
    email = f"buyer@{target}.example"
    url = reverse("erase_customer", args=[tenant.slug])
    belongs = Membership.objects.filter(user__username=who, tenant=tenant).exists()
    refused = 403 if belongs else 404  # a company one does not belong to looks like a missing one
    assert client.get(url).status_code == (200 if allowed else refused)
    response = client.post(url, {"email": email, "answer": "erase"})
    if allowed:
        assert response.status_code == 302 and response.url == url
        assert not AccountingCustomer.objects.filter(tenant=tenant, email=email).exists()
        assert (
            AuditEntry.objects.filter(tenant=tenant, action=AuditEntry.Action.ERASED_PERSONAL_DATA).count()
            == 1
        )
    else:
        assert response.status_code == refused and tenant.name not in response.content.decode()
        assert AccountingCustomer.objects.filter(tenant=tenant, email=email).exists()
        assert not AuditEntry.objects.filter(action=AuditEntry.Action.ERASED_PERSONAL_DATA).exists()


@pytest.mark.django_db
def test_an_owner_erases_only_in_their_own_company(client, owner_a, tenant_a, tenant_b):
    AccountingCustomer.objects.filter(tenant=tenant_b).update(
        email="buyer@a.example"
    )  # the same person buys from both
    client.force_login(owner_a)
    url = reverse("erase_customer", args=[tenant_a.slug])
    preview = client.post(url, {"email": "Buyer@A.example", "answer": "preview"})
    assert "customer records (copy of eAccounting&#x27;s): 1" in preview.content.decode()
    assert AccountingCustomer.objects.filter(
        tenant=tenant_a, email="buyer@a.example"
    ).exists()  # a preview only
    response = client.post(url, {"email": "Buyer@A.example", "answer": "erase"}, follow=True)
    page = response.content.decode()
    assert (
        "customer records (copy of eAccounting&#x27;s): 1" in page
        and "Nothing is erased in eAccounting" in page
    )
    assert "buyer@a.example" not in page.lower()  # the report names no one
    assert not AccountingCustomer.objects.filter(tenant=tenant_a, email="buyer@a.example").exists()
    assert (
        AccountingCustomer.objects.get(tenant=tenant_b, customer_id="customer-b").email == "buyer@a.example"
    )
    assert not AuditEntry.objects.filter(
        tenant=tenant_b, action=AuditEntry.Action.ERASED_PERSONAL_DATA
    ).exists()


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_login(client, tenant_a):
    response = client.get(reverse("erase_customer", args=[tenant_a.slug]))
    assert response.status_code == 302 and "/login/" in response.url


@pytest.mark.django_db
def test_the_tenants_action_opens_the_erasure_page_of_one_company(client, owner_a, tenant_a, tenant_b):
    client.force_login(owner_a)
    changelist = reverse("admin:integration_tenant_changelist")
    response = client.post(changelist, {"action": "erase_customer", "_selected_action": [tenant_a.pk]})
    assert response.status_code == 200
    assert f'action="{reverse("erase_customer", args=[tenant_a.slug])}"' in response.content.decode()
    page = client.get(reverse("admin:integration_tenant_change", args=[tenant_a.pk])).content.decode()
    assert (
        'name="personal_data_retention_days"' in page
    )  # owners set the retention with the company's settings
    refused = client.post(changelist, {"action": "erase_customer", "_selected_action": [tenant_b.pk]})
    assert refused.status_code == 302 and refused.url == changelist  # not one of theirs: the list again


def test_erasure_refuses_what_is_not_an_email():
    with pytest.raises(ValueError):
        erasure.erase("Eeva Poistettava")


# --- the same erasure for a buyer of each shop platform ---------------------------------------------


@pytest.fixture
def selling(ea, catalogue, live_server, settings):
    """An activated company whose articles are in the shop, booking web orders on one collective
    customer (a Shopify order carries no billing address Silta reads: the contract has none)."""
    settings.SILTA_BASE_URL = live_server.url
    tenant = activated_on_an_empty_catalogue(ea, catalogue, "erase")
    assert sync_articles(tenant).status == SyncRun.Status.SUCCEEDED
    client = EAccountingClient(tenant.eaccounting_connection)
    terms = OrderSettings.objects.get(tenant=tenant).terms_of_payment_id
    collective = client.post(
        "/customers",
        {
            "Name": "Verkkokaupan asiakkaat",
            "IsPrivatePerson": True,
            "IsActive": True,
            "InvoiceCity": "Kuopio",
            "InvoicePostalCode": "70100",
            "TermsOfPaymentId": terms,
        },
    )
    reference.refresh_customers(tenant, client)
    OrderSettings.objects.filter(tenant=tenant).update(
        transfer_from=None,
        collective_customer=AccountingCustomer.objects.get(tenant=tenant, customer_id=collective["Id"]),
    )
    return tenant


@pytest.mark.django_db(transaction=True)
def test_a_web_buyers_email_is_erased_and_their_order_stays_exactly_once(selling, catalogue, unique_email):
    email, tenant = unique_email.lower(), selling
    sku = sorted(catalogue.products(tenant))[0]
    order_id = catalogue.sell(catalogue.product(tenant, sku), 1, email=unique_email)
    assert transfer_orders(tenant).status == "succeeded"
    transfer = OrderTransfer.objects.get(tenant=tenant, shop_order_id=order_id)
    assert transfer.status == OrderTransfer.Status.DONE, transfer.reason
    # what an older version left: a refusal quoting the buyer in the order's run
    run = SyncRun.objects.filter(tenant=tenant, kind=SyncRun.Kind.ORDERS).first()
    SyncEvent.objects.create(
        run=run,
        tenant=tenant,
        outcome=SyncEvent.Outcome.SKIPPED,
        item=transfer.shop_order_number,
        reason=f"eAccounting refused it: EmailAddress {unique_email} is not valid",
    )
    assert tables_mentioning(email)

    report = erasure.erase(unique_email, tenant, username="privacy request")
    assert tables_mentioning(email) == {}
    assert email not in "; ".join(report.lines()).lower()
    assert (
        AuditEntry.objects.filter(tenant=tenant, action=AuditEntry.Action.ERASED_PERSONAL_DATA).count() == 1
    )
    kept = OrderTransfer.objects.get(pk=transfer.pk)
    assert (kept.status, kept.document_id) == (transfer.status, transfer.document_id)
    # exactly once still: the shop announces the order again, no second document
    transfer_orders(tenant, trigger="webhook", order_ids=[order_id])
    assert OrderTransfer.objects.filter(tenant=tenant, shop_order_id=order_id).count() == 1
    assert OrderTransfer.objects.get(pk=transfer.pk).document_id == transfer.document_id


@pytest.mark.parametrize("catalogue", ["shopify"], indirect=True)  # Shopify's own privacy webhook
@pytest.mark.django_db(transaction=True)
def test_shopifys_customers_redact_erases_the_buyer_of_an_order_from_that_store(
    selling, catalogue, shopify_server, unique_email, live_server
):
    email, tenant = unique_email.lower(), selling
    sku = sorted(catalogue.products(tenant))[0]
    order_id = catalogue.sell(catalogue.product(tenant, sku), 1, email=unique_email)
    assert transfer_orders(tenant).status == "succeeded"
    transfer = OrderTransfer.objects.get(tenant=tenant, shop_order_id=order_id)
    SyncEvent.objects.create(
        run=SyncRun.objects.filter(tenant=tenant, kind=SyncRun.Kind.ORDERS).first(),
        tenant=tenant,
        outcome=SyncEvent.Outcome.SKIPPED,
        item=transfer.shop_order_number,
        reason=f"eAccounting refused it: EmailAddress {unique_email} is not valid",
    )
    assert tables_mentioning(email)
    # The store is found by its myshopify.com domain; the sandbox's connection has its loopback
    # address, so it is given the store's domain here (as an installed shop's connection has).
    domain = shopify_server.store.settings["shop_domain"]
    tenant.webshop_connection.__class__.objects.filter(pk=tenant.webshop_connection.pk).update(
        base_url=f"https://{domain}", shop_identity=shop_identity(f"https://{domain}")
    )
    payload = {"shop_domain": domain, "customer": {"id": 7, "email": unique_email}}
    sent = shopify_server.control(
        "POST",
        "/deliver",
        {
            "url": live_server.url + reverse("shopify_privacy_webhook"),
            "topic": "customers/redact",
            "payload": payload,
        },
    )
    assert sent["status"] == 200
    assert tables_mentioning(email) == {}
    entry = AuditEntry.objects.get(tenant=tenant, action=AuditEntry.Action.ERASED_PERSONAL_DATA)
    assert entry.username == "Shopify (privacy webhook)" and email not in entry.detail.lower()
    assert OrderTransfer.objects.get(pk=transfer.pk).document_id == transfer.document_id
