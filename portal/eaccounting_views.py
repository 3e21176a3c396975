"""Connect eAccounting: start the OAuth login for a tenant, and take the answer."""

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from integration.eaccounting import oauth
from integration.eaccounting.connect import ConnectRefused, connect_company
from integration.eaccounting.errors import EAccountingError
from integration.models import EAccountingConnection, Tenant
from integration.people import audit, tenancy

SESSION_KEY = "eaccounting_oauth"


def _redirect_uri():
    return settings.SILTA_BASE_URL.rstrip("/") + reverse("eaccounting_callback")


@require_POST
def connect(request, slug):
    tenant = tenancy.get_tenant_for_user(request.user, slug, tenancy.OWNERS)
    auth = oauth.authorization_request(_redirect_uri())
    request.session[SESSION_KEY] = {"state": auth.state, "verifier": auth.code_verifier, "tenant": tenant.pk}
    return redirect(auth.url)


@require_GET
def callback(request):
    pending = request.session.pop(SESSION_KEY, None)
    if not pending or request.GET.get("state") != pending["state"]:
        messages.error(
            request,
            _("The eAccounting login could not be matched to a request from this browser. Please try again."),
        )
        return redirect("admin:index")
    tenant = Tenant.objects.get(pk=pending["tenant"])
    if not tenancy.has_role(request.user, tenant, tenancy.OWNERS):
        raise PermissionDenied
    if "error" in request.GET:
        messages.warning(
            request,
            _("eAccounting was not connected: the login ended with “%(error)s”.")
            % {"error": request.GET["error"]},
        )
        return redirect("admin:index")
    before = EAccountingConnection.objects.filter(tenant=tenant).exclude(company_id="").first()
    try:
        tokens = oauth.exchange_code(request.GET.get("code", ""), _redirect_uri(), pending["verifier"])
        connection = connect_company(tenant, tokens)
    except ConnectRefused as exc:
        messages.error(request, str(exc))
    except EAccountingError as exc:
        messages.error(request, _("eAccounting was not connected: %(error)s") % {"error": exc})
    else:
        with translation.override("en"):  # the audit trail is written in English
            detail = (
                f"Reconnected; before: “{before.company_name}”, {before.get_status_display().lower()}"
                if before
                else "Connected for the first time"
            )
        audit.record(
            tenant,
            request.user,
            audit.Action.CONNECTED_EACCOUNTING,
            f"eAccounting company “{connection.company_name}”",
            detail,
        )
        messages.success(
            request,
            _("%(company)s is connected to eAccounting company “%(eaccounting_company)s”.")
            % {"company": tenant.name, "eaccounting_company": connection.company_name},
        )
    return redirect("admin:index")


urls = [
    path(
        "tenants/<slug:slug>/eaccounting/connect/", admin.site.admin_view(connect), name="eaccounting_connect"
    ),
    path("oauth/eaccounting/callback/", admin.site.admin_view(callback), name="eaccounting_callback"),
]
