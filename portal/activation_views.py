"""*Activate integration?*: the pre-flight check in words, then one question."""

from django.contrib import admin, messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from integration.activation import activate as activation
from integration.activation import offboarding
from integration.activation.fetch import gather
from integration.activation.preflight import check
from integration.eaccounting.client import EAccountingClient
from integration.eaccounting.errors import EAccountingError
from integration.models import ConnectionStatus, WebshopConnection
from integration.people import audit, tenancy
from integration.visma_webshop import status as visma_status
from integration.webshops.base import WebshopError


def _connected(tenant):
    ea = getattr(tenant, "eaccounting_connection", None)
    shop = getattr(tenant, "webshop_connection", None)
    return all(c is not None and c.status == ConnectionStatus.CONNECTED for c in (ea, shop))


def activate(request, slug):
    tenant = tenancy.get_tenant_for_user(request.user, slug, tenancy.OWNERS)
    if not _connected(tenant):
        messages.warning(
            request,
            _("Connect both eAccounting and the webshop of %(company)s first.") % {"company": tenant.name},
        )
        return redirect("admin:index")
    if request.method == "POST" and request.POST.get("answer") != "yes":
        messages.info(request, _("Nothing was changed: the integration is not active."))
        return redirect("admin:index")
    if tenant.webshop_connection.platform == WebshopConnection.Platform.VISMA_WEBSHOP:
        return _activate_visma_webshop(request, tenant)
    try:
        preflight = check(gather(tenant))
    except (EAccountingError, WebshopError) as exc:
        messages.error(
            request, _("The pre-flight check could not read both systems: %(error)s") % {"error": exc}
        )
        return redirect("admin:index")
    if request.method == "POST" and preflight.ok:
        try:
            activation.activate(tenant, preflight)
        except WebshopError as exc:
            messages.error(
                request,
                _("Not activated: the shop refused the webhooks Silta needs (%(error)s).") % {"error": exc},
            )
        else:
            audit.record(
                tenant,
                request.user,
                audit.Action.ACTIVATED,
                tenant.name,
                f"Defaults: {len(preflight.templates)} article templates, "
                f"{len(preflight.tax_classes)} tax class mappings (kept where already set)",
            )
            messages.success(
                request,
                _("The integration of %(company)s is active. Next: the first sync.")
                % {"company": tenant.name},
            )
            return redirect("first_sync", slug=tenant.slug)
        return redirect("admin:index")
    context = {
        **admin.site.each_context(request),
        "tenant": tenant,
        "preflight": preflight,
        "title": _("Activate integration: %(company)s") % {"company": tenant.name},
    }
    return render(request, "portal/activate.html", context)


def _activate_visma_webshop(request, tenant):
    """Visma Verkkokauppa: the pre-flight is eAccounting's webshop status; Yes leads to the rules' preview."""
    try:
        preflight = visma_status.check(EAccountingClient(tenant.eaccounting_connection).company_settings())
    except EAccountingError as exc:
        messages.error(
            request, _("The pre-flight check could not read eAccounting: %(error)s") % {"error": exc}
        )
        return redirect("admin:index")
    if request.method == "POST" and preflight.ok:
        activation.activate_visma_webshop(tenant, preflight)
        audit.record(
            tenant, request.user, audit.Action.ACTIVATED, tenant.name, "Visma Verkkokauppa: link enabled"
        )
        messages.success(
            request,
            _("The integration of %(company)s is active. Next: the Available in Webshop rules.")
            % {"company": tenant.name},
        )
        return redirect("visma_webshop", slug=tenant.slug)
    context = {
        **admin.site.each_context(request),
        "tenant": tenant,
        "preflight": preflight,
        "title": _("Activate integration: %(company)s") % {"company": tenant.name},
    }
    return render(request, "portal/activate.html", context)


def deactivate(request, slug):
    """*Deactivate integration?*, the offboarding confirmation: what will happen, then keep the data or
    delete it (typing the slug). Owners and superusers; an inactive tenant is offered deletion only."""
    tenant = tenancy.get_tenant_for_user(request.user, slug, tenancy.OWNERS)
    choice = request.POST.get("data") or request.GET.get("data") or ("keep" if tenant.is_active else "delete")
    error = ""
    if request.method == "POST":
        if request.POST.get("answer") != "yes":
            messages.info(request, _("Nothing was changed for %(company)s.") % {"company": tenant.name})
            return redirect("admin:index")
        if choice == "delete" and request.POST.get("confirm_slug", "").strip() != tenant.slug:
            error = _("Nothing was done: to delete %(company)s, type %(slug)s in the box.") % {
                "company": tenant.name,
                "slug": tenant.slug,
            }
        elif choice == "delete" or tenant.is_active:
            return _offboard(request, tenant, delete=choice == "delete")
        else:
            error = _("The integration of %(company)s is not active: there is nothing to deactivate.") % {
                "company": tenant.name
            }
    context = {
        **admin.site.each_context(request),
        "tenant": tenant,
        "plan": offboarding.plan(tenant),
        "choice": choice,
        "error": error,
        "title": (_("Deactivate integration: %(company)s") if tenant.is_active else _("Delete: %(company)s"))
        % {"company": tenant.name},
    }
    return render(request, "portal/deactivate.html", context)


def _offboard(request, tenant, delete):
    name = tenant.name
    try:
        if delete:
            outcome = offboarding.delete(tenant, request.user, "the offboarding page")
        else:
            outcome = offboarding.offboard(tenant, request.user)
    except WebshopError as exc:
        messages.error(
            request,
            _(
                "Nothing was done: the shop's webhooks could not be removed (%(error)s). Try again; "
                "if the shop is gone for good, delete its webshop connection in the admin first."
            )
            % {"error": exc},
        )
        return redirect("admin:index")
    if delete:
        messages.success(
            request,
            _(
                "%(company)s and all of its data were deleted from Silta: %(outcome)s. "
                "Nothing was deleted in eAccounting or the shop."
            )
            % {"company": name, "outcome": outcome.shown()},
        )
    else:
        messages.success(
            request,
            _(
                "The integration of %(company)s is no longer active: %(outcome)s. "
                "Its data stays; to activate again, connect eAccounting again."
            )
            % {"company": name, "outcome": outcome.shown()},
        )
    if outcome.revocation.had_tokens and not outcome.revocation.confirmed:
        messages.warning(
            request,
            _(
                "eAccounting could not confirm that Silta's tokens were revoked. Silta deleted "
                "them and cannot use them, but Visma may accept them until they expire."
            ),
        )
    return redirect("admin:index")


urls = [
    path("tenants/<slug:slug>/activate/", admin.site.admin_view(activate), name="tenant_activate"),
    path("tenants/<slug:slug>/deactivate/", admin.site.admin_view(deactivate), name="tenant_deactivate"),
]
