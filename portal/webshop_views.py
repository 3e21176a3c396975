"""Connect a webshop: WooCommerce key approval or Shopify app install, connection test, webhook endpoints."""

import json

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from integration.models import Tenant, WebshopConnection
from integration.people import tenancy
from integration.privacy import shopify_requests
from integration.webshops import intake as webhook_intake
from integration.webshops import setup as webshop_setup
from integration.webshops import shopify_setup
from integration.webshops.base import WebshopError

KEYS_MAX_BYTES = 10_000  # an approval is a few short fields


class ShopAddressForm(forms.Form):
    base_url = forms.URLField(
        label=gettext_lazy("Shop address"),
        assume_scheme="https",
        help_text=gettext_lazy("e.g. https://shop.example.fi"),
    )


class ShopifyStoreForm(forms.Form):
    shop = forms.CharField(
        label=gettext_lazy("Shopify store address"),
        max_length=100,
        help_text=gettext_lazy("e.g. kahvila.myshopify.com"),
    )


def connect(request, slug):
    """Ask for the shop's address, then send the owner to the shop to approve Silta's access:
    WooCommerce's key approval, or Shopify's app install (the owner types the myshopify.com store)."""
    tenant = tenancy.get_tenant_for_user(request.user, slug, tenancy.OWNERS)
    shopify = request.method == "POST" and request.POST.get("platform") == "shopify"
    form = ShopAddressForm(request.POST if request.method == "POST" and not shopify else None)
    shopify_form = ShopifyStoreForm(request.POST if shopify else None, prefix="shopify")
    if shopify and shopify_form.is_valid():
        try:
            return redirect(shopify_setup.start(tenant, shopify_form.cleaned_data["shop"], request.user))
        except webshop_setup.SetupRefused as exc:
            shopify_form.add_error("shop", str(exc))
    elif request.method == "POST" and not shopify and form.is_valid():
        try:
            return redirect(webshop_setup.approval_url(tenant, form.cleaned_data["base_url"], request.user))
        except webshop_setup.SetupRefused as exc:
            form.add_error("base_url", str(exc))
    context = {
        **admin.site.each_context(request),
        "tenant": tenant,
        "form": form,
        "shopify_form": shopify_form,
        "title": _("Connect webshop: %(company)s") % {"company": tenant},
    }
    return render(request, "portal/connect_webshop.html", context)


@require_GET
def shopify_installed(request):
    """The owner's browser comes back from approving Silta's app in their Shopify store.

    One address for every company (Shopify allows only the app's listed redirection URLs): the
    company is the one the attempt named by ``state`` was started for, by this user."""
    approval = shopify_setup.pending(request.GET.get("state", ""))
    if approval is None:
        messages.error(request, shopify_setup.unknown_attempt())
        return redirect("admin:index")
    # 404 for someone outside the company, 403 for its members: as every owner-only page
    tenancy.get_tenant_for_user(request.user, approval.tenant.slug, tenancy.OWNERS)
    try:
        connection = shopify_setup.finish(approval, request.user, request.GET.dict())
    except webshop_setup.SetupRefused as exc:
        messages.error(request, str(exc))
        return redirect("webshop_connect", approval.tenant.slug)
    messages.success(
        request,
        _("%(company)s is connected to the Shopify store %(shop)s. Next: activate the integration.")
        % {"company": approval.tenant.name, "shop": connection.base_url.removeprefix("https://")},
    )
    return redirect("tenant_setup", approval.tenant.slug)


@csrf_exempt
@require_POST
def receive_keys(request):
    """WooCommerce posts the approved keys here, server to server (no browser, no session)."""
    body = _read_body(request, KEYS_MAX_BYTES)
    if body is None:
        return JsonResponse({"error": "approval too large"}, status=413)
    try:
        webshop_setup.accept_keys(json.loads(body))
    except (ValueError, RecursionError, webshop_setup.SetupRefused, WebshopConnection.DoesNotExist) as exc:
        return JsonResponse({"error": str(exc)[:200] or "invalid approval"}, status=400)
    return JsonResponse({"ok": True})


def _read_body(request, limit: int) -> bytes | None:
    """The request's body, or None when it is (or says it is) over `limit` bytes. A Content-Length
    that is not a number counts as unknown: the read itself is bounded."""
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return None
    body = request.read(limit + 1)
    return None if len(body) > limit else body


@require_GET
def approved(request, slug):
    """The owner's browser comes back from the shop's approval page."""
    tenant = tenancy.get_tenant_for_user(request.user, slug, tenancy.OWNERS)
    connection = getattr(tenant, "webshop_connection", None)
    if request.GET.get("success") != "1":
        messages.warning(request, _("The shop's access was not approved, so the webshop is not connected."))
    elif connection and connection.api_key:
        messages.success(
            request,
            _("%(company)s's webshop approved Silta's access. Test the connection to check it.")
            % {"company": tenant.name},
        )
    else:
        messages.error(
            request, _("The shop approved access but its keys have not arrived. Try connecting again.")
        )
    return redirect("admin:index")


@require_POST
def test(request, slug):
    tenant = tenancy.get_tenant_for_user(request.user, slug)
    connection = get_object_or_404(WebshopConnection, tenant=tenant)
    try:
        messages.success(request, webshop_setup.test_connection(connection))
    except WebshopError as exc:
        messages.error(request, _("Connection test failed: %(error)s") % {"error": exc})
    return redirect("admin:index")


@csrf_exempt
@require_POST
def webhook(request, public_id):
    """Deliveries from the shop: verified, recorded once, work enqueued. Never the work itself."""
    tenant = Tenant.objects.select_related("webshop_connection").filter(public_id=public_id).first()
    if tenant is None:
        return HttpResponse("unknown address", status=404)
    body = _read_body(request, settings.WEBHOOK_MAX_BYTES)
    if body is None:
        return HttpResponse("delivery too large", status=413)
    answer = webhook_intake.receive(tenant, request.headers, body)
    return HttpResponse(answer.message, status=answer.status, content_type="text/plain")


@csrf_exempt
@require_POST
def shopify_privacy(request):
    """Shopify's mandatory privacy webhooks, one address for every store (integration/privacy)."""
    body = _read_body(request, settings.WEBHOOK_MAX_BYTES)
    if body is None:
        return HttpResponse("delivery too large", status=413)
    answer = shopify_requests.receive(request.headers, body, settings.SHOPIFY_CLIENT_SECRET)
    return HttpResponse(answer.message, status=answer.status, content_type="text/plain")


urls = [
    path("tenants/<slug:slug>/webshop/connect/", admin.site.admin_view(connect), name="webshop_connect"),
    path("tenants/<slug:slug>/webshop/approved/", admin.site.admin_view(approved), name="webshop_approved"),
    path("webshop/shopify/installed/", admin.site.admin_view(shopify_installed), name="shopify_installed"),
    path("tenants/<slug:slug>/webshop/test/", admin.site.admin_view(test), name="webshop_test"),
    path("webshop/keys/", receive_keys, name="webshop_keys"),
    path("webhooks/woocommerce/<uuid:public_id>/", webhook, name="webshop_webhook"),
    path("webhooks/shopify/privacy/", shopify_privacy, name="shopify_privacy_webhook"),
]
