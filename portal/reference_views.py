"""*Read eAccounting's lists again*: the codings, units, terms of payment and bank accounts the pickers offer,
and the customers changed in eAccounting (the collective customer's pick list; order runs read them
only every few hours unless they create a customer). Owners and members (members map methods);
anyone else is refused."""

from datetime import timedelta

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from integration.eaccounting import references
from integration.eaccounting.client import EAccountingClient
from integration.eaccounting.errors import EAccountingError
from integration.orders import reference
from integration.people import tenancy


@require_POST
def refresh(request: HttpRequest, slug: str) -> HttpResponse:
    tenant = tenancy.get_tenant_for_user(request.user, slug)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = reverse("tenant_setup", args=[slug])
    try:
        client = EAccountingClient(tenant.eaccounting_connection)
        references.refresh(tenant, client)
        reference.refresh_customers(tenant, client, max_age=timedelta(0))  # now, however recent
    except EAccountingError as e:
        messages.error(
            request,
            _(
                "eAccounting's lists could not be read: %(error)s. Check the eAccounting "
                "connection on the dashboard and try again."
            )
            % {"error": e},
        )
    else:
        messages.success(
            request,
            _(
                "eAccounting's codings, units, terms of payment, bank accounts and changed customers "
                "were read again."
            ),
        )
    return redirect(back)


urls = [
    path(
        "tenants/<slug:slug>/eaccounting-lists/",
        admin.site.admin_view(refresh),
        name="eaccounting_lists_refresh",
    ),
]
