"""A company's set-up checklist page (owners and members of the company; anyone else gets 404)."""

from django.contrib import admin
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _

from integration.activation.checklist_facts import checklists_for
from integration.people import tenancy


def setup(request: HttpRequest, slug: str) -> HttpResponse:
    tenant = tenancy.tenants_for(request.user).filter(slug=slug).first()
    if tenant is None:
        raise Http404("No such tenant.")
    checklist = checklists_for(tenancy.tenants_for(request.user).filter(pk=tenant.pk))[tenant.pk]
    context = {
        **admin.site.each_context(request),
        "title": _("Set-up of %(company)s") % {"company": tenant.name},
        "tenant": tenant,
        "checklist": checklist,
        "is_owner": tenancy.has_role(request.user, tenant, tenancy.OWNERS),
    }
    return render(request, "portal/setup.html", context)


urls = [
    path("tenants/<slug:slug>/setup/", admin.site.admin_view(setup), name="tenant_setup"),
]
