"""Connecting a tenant's webshop: key approval, connection test, webhooks. Database and shop I/O."""

import secrets
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from integration import webshops
from integration.models import ConnectionStatus, Tenant, WebshopConnection, normalize_shop_url
from integration.net import outbound
from integration.people import audit, notify
from integration.webshops.base import AuthenticationFailed, InsecureURL, ReadOnlyKey, WebshopError

WEBHOOK_TOPICS = ["order.created", "order.updated", "product.updated"]
APPROVAL_SALT = "silta.webshop.approval"
APPROVAL_MAX_AGE = 3600  # seconds the shop owner has to approve


class SetupRefused(Exception):
    """The shop cannot be connected to this tenant; the message says why."""


def _absolute(name, *args):
    return settings.SILTA_BASE_URL.rstrip("/") + reverse(name, args=args)


def webhook_url(tenant: Tenant) -> str:
    return _absolute("webshop_webhook", tenant.public_id)


def check_shop_url(tenant: Tenant, base_url: str) -> str:
    url = normalize_shop_url(base_url)
    try:  # the outbound policy, as every later call will apply it (scheme, user info, public address)
        outbound.Policy.from_settings().check(url)
    except outbound.OutboundRefused as exc:
        raise SetupRefused(str(exc)) from None
    if WebshopConnection.objects.filter(base_url=url).exclude(tenant=tenant).exists():
        raise SetupRefused(_("This shop is already connected to another company in Silta."))
    return url


def approval_url(tenant: Tenant, base_url: str, user=None) -> str:
    """WooCommerce's key-approval page: the owner approves and the keys arrive at our callback.

    The signed state names the user who started it: the keys arrive server to server, and the
    audit trail should still say who connected the shop."""
    url = check_shop_url(tenant, base_url)
    WebshopConnection.objects.update_or_create(
        tenant=tenant, defaults={"platform": WebshopConnection.Platform.WOOCOMMERCE, "base_url": url}
    )
    state = signing.dumps({"tenant": tenant.pk, "url": url, "user": user.pk if user else None}, salt=APPROVAL_SALT)
    query = {
        "app_name": "Silta",
        "scope": "read_write",
        "user_id": state,
        "return_url": _absolute("webshop_approved", tenant.slug),
        "callback_url": _absolute("webshop_keys"),
    }
    return f"{url}/wc-auth/v1/authorize?{urlencode(query)}"


def accept_keys(payload: dict) -> WebshopConnection:
    """The shop posts the generated keys to our callback; `user_id` is our signed state."""
    try:
        state = signing.loads(str(payload.get("user_id", "")), salt=APPROVAL_SALT, max_age=APPROVAL_MAX_AGE)
    except signing.BadSignature as exc:
        raise SetupRefused("unknown or expired approval") from exc
    if payload.get("key_permissions") != "read_write":
        raise SetupRefused("Silta needs read and write access to the shop.")
    with transaction.atomic():
        connection = WebshopConnection.objects.select_for_update().get(tenant_id=state["tenant"])
        if connection.base_url != state["url"]:
            raise SetupRefused("the shop address changed while the approval was pending")
        connection.api_key = payload["consumer_key"]
        connection.api_secret = payload["consumer_secret"]
        connection.webhook_secret = connection.webhook_secret or secrets.token_urlsafe(32)
        connection.status = ConnectionStatus.CONNECTED
        connection.status_detail = ""
        connection.connected_at = timezone.now()
        connection.save()
        # Recorded here, in the same transaction: only the signed state knows who started the approval.
        starter = get_user_model().objects.filter(pk=state.get("user")).first() if state.get("user") else None
        audit.record(connection.tenant, starter, audit.Action.CONNECTED_WEBSHOP, f"Webshop {connection.base_url}",
                     "Read/write keys approved in the shop (WooCommerce key approval)",
                     username=None if starter else "the shop (key approval)")  # fmt: skip
    return connection


def test_connection(connection: WebshopConnection) -> str:
    """Ask the shop; record the outcome on the connection; return it in words (raises WebshopError)."""
    try:
        info = webshops.for_connection(connection).test_connection()
    except (AuthenticationFailed, ReadOnlyKey, InsecureURL) as exc:  # InsecureURL: the address policy refused
        mark_needs_reconnect(connection, str(exc))
        raise
    except WebshopError:
        raise
    _set_status(connection, ConnectionStatus.CONNECTED, "")
    taxes = _("prices include VAT") if info.prices_include_tax else _("prices exclude VAT")
    return _("The shop answers: currency %(currency)s, %(taxes)s, %(products)s products.") % {
        "currency": info.currency, "taxes": taxes, "products": info.product_count}


def _set_status(connection, status, detail):
    WebshopConnection.objects.filter(pk=connection.pk).update(status=status, status_detail=detail)


def register_webhooks(tenant: Tenant) -> int:
    connection = tenant.webshop_connection
    if not connection.webhook_secret:
        connection.webhook_secret = secrets.token_urlsafe(32)
        connection.save(update_fields=["webhook_secret"])
    shop = webshops.for_connection(connection)
    return len(shop.register_webhooks(webhook_url(tenant), connection.webhook_secret, WEBHOOK_TOPICS))


def check_webhooks(tenant_id: int) -> list[str]:
    tenant = Tenant.objects.select_related("webshop_connection").get(pk=tenant_id)
    if not tenant.is_active:  # a check queued before deactivation must not put the webhooks back
        return []
    connection = tenant.webshop_connection
    shop = webshops.for_connection(connection)
    return shop.check_webhooks(webhook_url(tenant), connection.webhook_secret, WEBHOOK_TOPICS)


def remove_webhooks(tenant: Tenant) -> int:
    connection = getattr(tenant, "webshop_connection", None)
    if connection is None:  # never connected, or the connection was removed: nothing to remove
        return 0
    return webshops.for_connection(connection).remove_webhooks(webhook_url(tenant))


def mark_needs_reconnect(connection: WebshopConnection, detail: str) -> None:
    """The shop refuses our key: pause the tenant's jobs and tell its owners (once, on the change)."""
    changed = WebshopConnection.objects.filter(pk=connection.pk).exclude(status=ConnectionStatus.NEEDS_RECONNECT) \
        .update(status=ConnectionStatus.NEEDS_RECONNECT, status_detail=detail)  # fmt: skip
    if changed:
        transaction.on_commit(lambda: notify.needs_reconnect(connection.tenant, "the webshop", detail))
