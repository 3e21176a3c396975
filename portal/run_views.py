"""Seeing what happens: *Sync now* and confirming a mass price change on the dashboard, and the live progress it polls."""

from django.contrib import admin, messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from integration import tasks
from integration.people import audit, tenancy
from integration.scheduling import manual, schedules
from portal import dashboard


@require_POST
def sync_now(request, slug):
    """Owners and members: the article sync and the order transfer, enqueued now (they run in a moment)."""
    tenant = tenancy.get_tenant_for_user(request.user, slug)
    if not manual.sync_now(tenant):
        messages.warning(
            request,
            _("The integration of %(company)s is not active, so there is nothing to sync: activate it first.")
            % {"company": tenant.name},
        )
        return redirect("admin:index")
    if schedules.jobs_for(tenant) is schedules.VISMA_WEBSHOP_JOBS:
        text = _(
            "%(company)s: the Available in Webshop rules and the webshop-order conversion start in a moment."
        )
    else:
        text = _("%(company)s: the article sync and the order transfer start in a moment.")
    messages.success(request, text % {"company": tenant.name})
    return redirect(f"{reverse('admin:index')}?watch={tenant.slug}")  # the page then follows their progress


@require_POST
def confirm_mass_change(request, slug):
    """Owners: apply the prices the mass-change guard held (an article sync that reads everything)."""
    tenant = tenancy.get_tenant_for_user(request.user, slug, tenancy.OWNERS)
    run = manual.mass_change_waiting(tenant)
    if run is None or not tenant.is_active:
        messages.info(
            request, _("No price change of %(company)s waits for confirmation.") % {"company": tenant.name}
        )
        return redirect("admin:index")
    tasks.sync_articles.enqueue(tenant.pk, "manual", False, True)  # full=False, confirm
    audit.record(tenant, request.user, audit.Action.CONFIRMED_MASS_CHANGE, str(run), run.error)
    messages.success(
        request,
        _("%(company)s: the new prices are written to the shop in a moment.") % {"company": tenant.name},
    )
    return redirect(f"{reverse('admin:index')}?watch={tenant.slug}")


@require_GET
def progress(request, slug):
    """How far the tenant's running runs are, as JSON. Anyone but the tenant's members gets 404."""
    tenant = tenancy.tenants_for(request.user).filter(slug=slug).first()
    if tenant is None:
        raise Http404("No such tenant.")
    return JsonResponse(dashboard.progress(tenant))


urls = [
    path("tenants/<slug:slug>/sync-now/", admin.site.admin_view(sync_now), name="sync_now"),
    path(
        "tenants/<slug:slug>/confirm-mass-change/",
        admin.site.admin_view(confirm_mass_change),
        name="confirm_mass_change",
    ),
    path("tenants/<slug:slug>/progress.json", admin.site.admin_view(progress), name="run_progress"),
]
