"""Small JSON answers that pages poll while something runs, so they change without a reload (portal/live.js).

Each answers {"done": bool, "texts": {selector: text}}: the texts replace what the page shows, and once
done the page fetches its content again. Whoever may not see the page itself is refused as it refuses them
(404 outside the company, 403 in the wrong role).
"""

from django.contrib import admin
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.http import require_GET

from integration.models import FirstSync, VismaWebshopSettings, WebshopConnection
from integration.people import tenancy

BUSY = (FirstSync.Status.PREPARING, FirstSync.Status.APPLYING)


@require_GET
def first_sync_status(request, slug):
    """The first sync's state (its page is for owners): done once it no longer prepares or applies."""
    tenant = tenancy.get_tenant_for_user(request.user, slug, tenancy.OWNERS)
    first = FirstSync.objects.filter(tenant=tenant).first()
    if first is None:
        return JsonResponse({"done": True, "texts": {}})
    return JsonResponse(
        {
            "done": first.status not in BUSY,
            "status": first.status,
            "texts": {"#first-sync-status strong": str(first.get_status_display())},
        }
    )


@require_GET
def availability_status(request, slug):
    """Whether the Available in Webshop rules were applied since the time the page shows (?since=…)."""
    tenant = tenancy.get_tenant_for_user(request.user, slug)
    settings = VismaWebshopSettings.objects.filter(
        tenant=tenant, tenant__webshop_connection__platform=WebshopConnection.Platform.VISMA_WEBSHOP
    ).first()
    applied = settings.rules_applied_at.isoformat() if settings and settings.rules_applied_at else ""
    return JsonResponse({"done": applied != request.GET.get("since", ""), "applied_at": applied, "texts": {}})


urls = [
    path(
        "tenants/<slug:slug>/first-sync/status.json",
        admin.site.admin_view(first_sync_status),
        name="first_sync_status",
    ),
    path(
        "tenants/<slug:slug>/visma-webshop/status.json",
        admin.site.admin_view(availability_status),
        name="availability_status",
    ),
]
