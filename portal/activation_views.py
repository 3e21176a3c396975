"""*Activate integration?*: the pre-flight check in words, then one question."""

from django.contrib import admin, messages
from django.shortcuts import redirect, render
from django.urls import path

from integration import audit, tenancy
from integration.activation import activate as activation
from integration.activation.fetch import gather
from integration.activation.preflight import check
from integration.eaccounting.errors import EAccountingError
from integration.models import ConnectionStatus
from integration.webshops.base import WebshopError


def _connected(tenant):
    ea = getattr(tenant, "eaccounting_connection", None)
    shop = getattr(tenant, "webshop_connection", None)
    return all(c is not None and c.status == ConnectionStatus.CONNECTED for c in (ea, shop))


def activate(request, slug):
    tenant = tenancy.get_tenant_for_user(request.user, slug, tenancy.OWNERS)
    if not _connected(tenant):
        messages.warning(request, f"Connect both eAccounting and the webshop of {tenant.name} first.")
        return redirect("admin:index")
    if request.method == "POST" and request.POST.get("answer") != "yes":
        messages.info(request, "Nothing was changed: the integration is not active.")
        return redirect("admin:index")
    try:
        preflight = check(gather(tenant))
    except (EAccountingError, WebshopError) as exc:
        messages.error(request, f"The pre-flight check could not read both systems: {exc}")
        return redirect("admin:index")
    if request.method == "POST" and preflight.ok:
        try:
            activation.activate(tenant, preflight)
        except WebshopError as exc:
            messages.error(request, f"Not activated: the shop refused the webhooks Silta needs ({exc}).")
        else:
            audit.record(tenant, request.user, audit.Action.ACTIVATED, tenant.name,
                         f"Defaults: {len(preflight.templates)} article templates, "
                         f"{len(preflight.tax_classes)} tax class mappings (kept where already set)")  # fmt: skip
            messages.success(request, f"The integration of {tenant.name} is active. Next: the first sync.")
            return redirect("first_sync", slug=tenant.slug)
        return redirect("admin:index")
    context = {
        **admin.site.each_context(request), "tenant": tenant, "preflight": preflight,
        "title": f"Activate integration: {tenant.name}",
    }
    return render(request, "portal/activate.html", context)


def deactivate(request, slug):
    """*Deactivate integration?*: what stops and what stays, then Yes. Owners only."""
    tenant = tenancy.get_tenant_for_user(request.user, slug, tenancy.OWNERS)
    if not tenant.is_active:
        messages.info(request, f"The integration of {tenant.name} is not active.")
        return redirect("admin:index")
    if request.method == "POST":
        if request.POST.get("answer") != "yes":
            messages.info(request, f"Nothing was changed: the integration of {tenant.name} stays active.")
            return redirect("admin:index")
        try:
            removed = activation.deactivate(tenant)
        except WebshopError as exc:
            messages.error(request, f"Not deactivated: the shop's webhooks could not be removed ({exc}).")
            return redirect("admin:index")
        audit.record(tenant, request.user, audit.Action.DEACTIVATED, tenant.name,
                     f"{removed} webhook(s) removed from the shop; scheduled jobs stopped")  # fmt: skip
        messages.success(request, f"The integration of {tenant.name} is no longer active.")
        return redirect("admin:index")
    context = {**admin.site.each_context(request), "tenant": tenant, "title": f"Deactivate integration: {tenant.name}"}
    return render(request, "portal/deactivate.html", context)


urls = [
    path("tenants/<slug:slug>/activate/", admin.site.admin_view(activate), name="tenant_activate"),
    path("tenants/<slug:slug>/deactivate/", admin.site.admin_view(deactivate), name="tenant_deactivate"),
]
