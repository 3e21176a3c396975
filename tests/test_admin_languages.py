"""Every admin page a company's people open reads in Finnish and in Swedish: no English of ours left on it.

Each registered admin's list, add and change page (as an owner of a company with a row in every table, and
as a superuser for the pages only superusers have), rendered for a browser that asks for fi or sv. The finder
(tests/fixtures/untranslated.py) says which text is ours; data and Django's own texts are not reported.
"""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from django.utils.functional import Promise

from integration.models import ProbeReport
from portal.admin.tenant_admin import TenantScopedAdmin

from .fixtures.untranslated import stored_texts, untranslated_in_html

pytestmark = pytest.mark.django_db

LANGUAGES = ("fi", "sv")


def pages(user, model_admin):
    """The admin's list, add and first change page this user may open."""
    opts = model_admin.model._meta
    name = f"admin:{opts.app_label}_{opts.model_name}"
    request = RequestFactory().get("/")
    request.user = user
    urls = [reverse(f"{name}_changelist")]
    if model_admin.has_add_permission(request):
        urls.append(reverse(f"{name}_add"))
    first = model_admin.get_queryset(request).first()
    if first is not None:
        urls.append(reverse(f"{name}_change", args=[first.pk]))
    return urls


def every_page(owner, superuser):
    """(user, url) for every admin page: an owner's where the page is a company's, a superuser's for the rest."""
    out = [(owner, reverse("admin:index")), (superuser, reverse("admin:index"))]
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label != "integration":
            continue  # Django's and django-q2's own pages: their texts are theirs (our header is on ours)
        user = owner if isinstance(model_admin, TenantScopedAdmin) else superuser
        out += [(user, url) for url in pages(user, model_admin)]
    out.append((superuser, reverse("admin:integration_probereport_start")))
    # Left out: the probe's report and the contract page, the installation operator's record of eAccounting's
    # API behaviour (its keys, requests and answers), written in English like the API it describes.
    probe = reverse("admin:integration_probereport_changelist")
    return [(u, url) for u, url in out if not (url.startswith(probe) and url != probe and "start" not in url)]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_english_of_ours_on_any_admin_page(client, owner_a, superuser, tenant_a, lang):
    ProbeReport.objects.create(
        tenant=tenant_a, company_name="Kahvila Testi Oy", status=ProbeReport.Status.DONE
    )
    walked = every_page(owner_a, superuser)
    data = stored_texts()
    assert len(walked) > 40  # the registry's pages really are walked (a change would not empty this test)
    left = {}
    logged_in = None
    for user, url in walked:
        if user != logged_in:
            client.force_login(user)
            logged_in = user
        response = client.get(url, headers={"accept-language": lang})
        assert response.status_code == 200, url
        html = response.content.decode()
        assert f'<html lang="{lang}"' in html, url
        found = untranslated_in_html(html, lang, data)
        if found:
            left[url] = found
    assert left == {}, (
        "English of ours left in "
        + lang
        + ":\n"
        + "\n".join(f"{url}: {'; '.join(found)}" for url, found in left.items())
    )


def test_every_model_field_and_choice_of_ours_is_named_for_translation():
    """A model, field, help text or choice label written as a plain string shows in English on every page
    that shows it: each of them is marked for translation (gettext_lazy) instead. Every model's names (a
    deletion's summary lists them); the fields of those the admin shows."""
    from django.apps import apps

    plain = []
    for model in apps.get_app_config("integration").get_models():
        opts = model._meta
        for what in ("verbose_name", "verbose_name_plural"):
            if not isinstance(opts.original_attrs.get(what), Promise):
                plain.append(f"{model.__name__}.Meta.{what}")
        if model not in admin.site._registry:
            continue
        for field in opts.get_fields(include_hidden=False):
            if not field.concrete or field.auto_created:
                continue
            if not isinstance(field.verbose_name, Promise):
                plain.append(f"{model.__name__}.{field.name} verbose_name {field.verbose_name!r}")
            if field.help_text and not isinstance(field.help_text, Promise):
                plain.append(f"{model.__name__}.{field.name} help_text {field.help_text!r}")
            for _value, label in field.flatchoices or ():
                if not isinstance(label, Promise):
                    plain.append(f"{model.__name__}.{field.name} choice {label!r}")
    assert plain == []


@pytest.mark.parametrize(
    "html, lang, left",
    [
        ("<th>Shop total</th>", "fi", ["Shop total"]),  # a field's made-up name (or the msgid)
        ("<th>Kaupan summa</th>", "fi", []),
        ("<th>Status</th>", "sv", []),  # Swedish for status is Status
        ("<p>› Order W-1 (Odottaa ihmistä)</p>", "fi", ["Order W-1 (Odottaa ihmistä)"]),  # a pattern of ours
        ("<td>Company A</td><td>SKU-17</td><td>WooCommerce</td>", "fi", []),  # data and names
        (
            '<input type="submit" value="Retry the selected orders now">',
            "sv",
            ["Retry the selected orders now"],
        ),
        ("<script>const t = 'Retry the selected orders now';</script>", "fi", []),  # not shown
    ],
)
def test_the_finder_tells_english_of_ours_from_data_names_and_translations(html, lang, left):
    assert [found.split(" (ours: ")[0].strip("'") for found in untranslated_in_html(html, lang)] == left


@pytest.mark.parametrize(
    "lang, said", [("fi", "yritetään hetken kuluttua uudelleen: 1"), ("sv", "försöks igen om en stund: 1")]
)
def test_an_admin_actions_message_reads_in_the_language_too(client, owner_a, tenant_a, lang, said):
    """*Retry the selected orders now* on the order list: the message it leaves says so in the reader's language."""
    client.force_login(owner_a)
    url = reverse("admin:integration_ordertransfer_changelist")
    order = tenant_a.order_transfers.get()
    response = client.post(
        url,
        {"action": "retry", "_selected_action": [order.pk]},
        headers={"accept-language": lang},
        follow=True,
    )
    html = response.content.decode()
    assert said in html
    assert untranslated_in_html(html, lang, stored_texts()) == []
