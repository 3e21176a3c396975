"""Connecting a tenant's webshop: key approval, connection test, webhooks. Database and shop I/O."""

import hashlib
import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from integration import webshops
from integration.models import ConnectionStatus, KeyApproval, Tenant, WebshopConnection, normalize_shop_url
from integration.net import outbound
from integration.people import audit, notify
from integration.webshops.base import AuthenticationFailed, InsecureURL, ReadOnlyKey, WebshopError
from integration.webshops.identity import shop_identity

WEBHOOK_TOPICS = ["order.created", "order.updated", "product.updated"]
APPROVAL_MAX_AGE = 600  # seconds the owner has to approve on the shop's page; the nonce works once
MAX_KEY_LENGTH = 200  # WooCommerce's keys are 43 characters; anything far longer is junk


class SetupRefused(Exception):
    """The shop cannot be connected to this tenant; the message says why."""


def _absolute(name, *args):
    return settings.SILTA_BASE_URL.rstrip("/") + reverse(name, args=args)


def webhook_url(tenant: Tenant) -> str:
    return _absolute("webshop_webhook", tenant.public_id)


def refuse_another_companys_shop(tenant: Tenant, url: str) -> None:
    """One shop belongs to one company: compared by identity (integration.webshops.identity)."""
    if WebshopConnection.objects.filter(shop_identity=shop_identity(url)).exclude(tenant=tenant).exists():
        raise SetupRefused(_("This shop is already connected to another company in Silta."))


def check_reachable(url: str) -> None:
    """The outbound policy, as every later call will apply it (scheme, user info, public address)."""
    try:
        outbound.Policy.from_settings().check(url)
    except outbound.OutboundRefused as exc:
        raise SetupRefused(str(exc)) from None


def check_shop_url(tenant: Tenant, base_url: str) -> str:
    url = normalize_shop_url(base_url)
    refuse_another_companys_shop(tenant, url)
    check_reachable(url)
    return url


def approval_url(tenant: Tenant, base_url: str, user: User) -> str:
    """WooCommerce's key-approval page: the owner approves and the keys arrive at our callback.

    ``user_id`` is a one-time nonce tied to this company and the user who started the approval:
    the keys arrive server to server, the audit trail should still say who connected the shop,
    and a replayed callback must change nothing."""
    url = check_shop_url(tenant, base_url)
    connection = WebshopConnection.objects.filter(tenant=tenant).first() or WebshopConnection(tenant=tenant)
    connection.platform = WebshopConnection.Platform.WOOCOMMERCE
    connection.base_url = url  # a changed address drops the old keys (WebshopConnection.save)
    connection.save()
    nonce = secrets.token_urlsafe(32)
    KeyApproval.objects.create(
        tenant=tenant, started_by=user, nonce_hash=nonce_hash(nonce), shop_url=connection.base_url
    )
    query = {
        "app_name": "Silta",
        "scope": "read_write",
        "user_id": nonce,
        "return_url": _absolute("webshop_approved", tenant.slug),
        "callback_url": _absolute("webshop_keys"),
    }
    return f"{url}/wc-auth/v1/authorize?{urlencode(query)}"


def nonce_hash(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def _key(payload: dict[str, Any], name: str) -> str:
    value = payload.get(name)
    if not isinstance(value, str) or not 0 < len(value) <= MAX_KEY_LENGTH:
        raise SetupRefused(f"{name} is missing or not a key")
    return value


def accept_keys(payload: Any) -> WebshopConnection:
    """The shop posts the generated keys to our callback; `user_id` is our one-time nonce.

    Refused unless the nonce is known, unused and fresh; it is consumed with the keys, so a
    second POST of the same value changes nothing and writes nothing."""
    if not isinstance(payload, dict):
        raise SetupRefused("the approval must be a JSON object")
    nonce = payload.get("user_id")
    if not isinstance(nonce, str) or not 0 < len(nonce) <= MAX_KEY_LENGTH:
        raise SetupRefused("unknown or expired approval")
    if payload.get("key_permissions") != "read_write":
        raise SetupRefused("Silta needs read and write access to the shop.")
    consumer_key, consumer_secret = _key(payload, "consumer_key"), _key(payload, "consumer_secret")
    with transaction.atomic():
        fresh_since = timezone.now() - timedelta(seconds=APPROVAL_MAX_AGE)
        approval = (
            KeyApproval.objects.select_for_update()
            .select_related("started_by")
            .filter(
                nonce_hash=nonce_hash(nonce),
                platform=WebshopConnection.Platform.WOOCOMMERCE,
                used_at__isnull=True,
                created_at__gte=fresh_since,
            )
            .first()
        )
        if approval is None:
            raise SetupRefused("unknown, used or expired approval")
        connection = WebshopConnection.objects.select_for_update().get(tenant_id=approval.tenant_id)
        if connection.base_url != approval.shop_url:
            raise SetupRefused("the shop address changed while the approval was pending")
        approval.used_at = timezone.now()
        approval.save(update_fields=["used_at"])
        connection.api_key = consumer_key
        connection.api_secret = consumer_secret
        connection.webhook_secret = connection.webhook_secret or secrets.token_urlsafe(32)
        connection.status = ConnectionStatus.CONNECTED
        connection.status_detail = ""
        connection.connected_at = timezone.now()
        connection.save()
        audit.record(
            connection.tenant,
            approval.started_by,
            audit.Action.CONNECTED_WEBSHOP,
            f"Webshop {connection.base_url}",
            "Read/write keys approved in the shop (WooCommerce key approval)",
        )
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
        "currency": info.currency,
        "taxes": taxes,
        "products": info.product_count,
    }


def _set_status(connection, status, detail):
    WebshopConnection.objects.filter(pk=connection.pk).update(status=status, status_detail=detail)


def register_webhooks(tenant: Tenant) -> int:
    connection = tenant.webshop_connection
    if connection.platform == WebshopConnection.Platform.SHOPIFY:
        # Shopify signs every delivery with the app's client secret, not one chosen per shop
        connection.webhook_secret = settings.SHOPIFY_CLIENT_SECRET
        connection.save(update_fields=["webhook_secret"])
    elif not connection.webhook_secret:
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
    changed = (
        WebshopConnection.objects.filter(pk=connection.pk)
        .exclude(status=ConnectionStatus.NEEDS_RECONNECT)
        .update(status=ConnectionStatus.NEEDS_RECONNECT, status_detail=detail)
    )
    if changed:
        transaction.on_commit(lambda: notify.needs_reconnect(connection.tenant, "the webshop", detail))
