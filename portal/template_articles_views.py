"""*Create the template articles in eAccounting*: Silta's proposal, and on Yes (owners, audited) the articles made
and the methods mapped. Members of the company see the proposal; anyone else is refused."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from integration.eaccounting import references
from integration.eaccounting.errors import EAccountingError
from integration.models import Tenant
from integration.orders import template_articles
from integration.people import audit, tenancy


def _read_lists(request: HttpRequest, tenant: Tenant) -> None:
    try:
        references.refresh(tenant)
    except EAccountingError as e:
        messages.error(
            request,
            _(
                "eAccounting's lists could not be read: %(error)s. Check the eAccounting "
                "connection on the dashboard and try again."
            )
            % {"error": e},
        )


def _create(request: HttpRequest, tenant: Tenant) -> None:
    proposal = template_articles.proposal_for(tenant)
    if not proposal.articles:
        messages.error(request, _("There is nothing to create: see what is missing above."))
        return
    outcome = template_articles.create(tenant, proposal)
    audit.record(
        tenant,
        request.user,
        audit.Action.ADDED,
        "Template articles in eAccounting",
        f"Created: {audit.listed(outcome.created) or '-'}; used as they were: {audit.listed(outcome.reused) or '-'}; "
        f"{outcome.methods_mapped} method template(s) set"
        + (f"; stopped: {outcome.error}" if outcome.error else ""),
    )
    if outcome.error is not None:
        messages.error(
            request,
            _(
                "eAccounting refused an article: %(error)s. What was made before it is kept and "
                "mapped; fix the cause and press Yes again."
            )
            % {"error": outcome.error},
        )
        return
    messages.success(
        request,
        _(
            "Template articles: %(created)s created, %(reused)s already in eAccounting and used "
            "as they are; %(mapped)s method templates set."
        )
        % {"created": len(outcome.created), "reused": len(outcome.reused), "mapped": outcome.methods_mapped},
    )


def page(request: HttpRequest, slug: str) -> HttpResponse:
    tenant = tenancy.get_tenant_for_user(request.user, slug)
    is_owner = tenancy.has_role(request.user, tenant, tenancy.OWNERS)
    if request.method == "POST":
        if not is_owner:
            raise PermissionDenied
        action = request.POST.get("action")
        if action == "refresh":
            _read_lists(request, tenant)
        elif action == "create":
            _create(request, tenant)
        return redirect("template_articles", slug=slug)
    if references.read_at(tenant) is None and is_owner:
        _read_lists(request, tenant)  # the first visit reads eAccounting's lists once; later only on demand
    context = {
        **admin.site.each_context(request),
        "title": _("Template articles of %(company)s") % {"company": tenant.name},
        "tenant": tenant,
        "is_owner": is_owner,
        "proposal": template_articles.proposal_for(tenant),
        "lists_read_at": references.read_at(tenant),
    }
    return render(request, "portal/template_articles.html", context)


urls = [
    path("tenants/<slug:slug>/template-articles/", admin.site.admin_view(page), name="template_articles"),
]
