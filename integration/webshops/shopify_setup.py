"""Connecting a Shopify store: the app install started and finished for one company. Database and shop I/O.

``start`` keeps one attempt per press of *Continue to Shopify* (a ``KeyApproval`` of platform
shopify: the ``state``'s hash, the company, the user, the store typed) and returns Shopify's
approval page. ``pending`` finds the attempt a callback names; ``finish`` verifies the callback
(``shopify.install.verify_callback``), uses the attempt up, exchanges the code and stores the
access token encrypted (``WebshopConnection.api_key`` is an encrypted field). A refusal stores
nothing and queues nothing. Reconnecting after ``app/uninstalled`` is the same install again.

``SHOPIFY_SANDBOX_URL`` (DEBUG only, the demo and tests) replaces ``https://<store>`` for the approval
page and every API call: the local Shopify sandbox stands in for the store. Ending in ``/shops/*`` it
is the sandbox's multi-shop mode: ``*`` is the store's name, so each store has its own sandbox store.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from integration.models import ConnectionStatus, KeyApproval, Tenant, WebshopConnection
from integration.people import audit

from .base import WebshopError
from .setup import (
    APPROVAL_MAX_AGE,
    SetupRefused,
    _absolute,
    check_reachable,
    nonce_hash,
    refuse_another_companys_shop,
)
from .shopify import install
from .shopify.domain import SUFFIX, NotAShopDomain, is_shop_domain, shop_domain

PLATFORM = WebshopConnection.Platform.SHOPIFY


MULTI_SHOP = "/shops/*"  # SHOPIFY_SANDBOX_URL's ending for the sandbox's multi-shop mode


def api_address(shop_url: str) -> str:
    """Where a store's API and approval page are: the sandbox in the demo, else the store itself.

    ``https://kaski.myshopify.com`` with ``SHOPIFY_SANDBOX_URL=http://127.0.0.1:8103/shops/*`` is
    ``http://127.0.0.1:8103/shops/kaski`` (that store of a multi-shop sandbox); without the ``/shops/*``
    every store is the one sandbox store at ``http://127.0.0.1:8103``."""
    sandbox = settings.SHOPIFY_SANDBOX_URL.rstrip("/")
    if not sandbox or not is_shop_domain(shop_url):
        return shop_url
    if sandbox.endswith(MULTI_SHOP):
        name = shop_domain(shop_url).removesuffix(SUFFIX)
        return sandbox.removesuffix("*") + name
    return sandbox


def _base_url(shop_url: str) -> str | None:
    """``install``'s ``base_url``: the sandbox's address for the store, None for the store itself."""
    return api_address(shop_url) if settings.SHOPIFY_SANDBOX_URL else None


def store_url(typed: str) -> str:
    """``https://<name>.myshopify.com`` for what the owner typed, or ``SetupRefused`` in words."""
    try:
        return "https://" + shop_domain(typed)
    except NotAShopDomain:
        raise SetupRefused(
            _("Type the store's Shopify address, e.g. kahvila.myshopify.com (Shopify's admin shows it).")
        ) from None


def start(tenant: Tenant, typed: str, user: User) -> str:
    """The store's approval page for Silta's app, with a fresh single-use ``state``."""
    url = store_url(typed)
    refuse_another_companys_shop(tenant, url)
    check_reachable(api_address(url))
    state = secrets.token_urlsafe(32)
    KeyApproval.objects.create(
        tenant=tenant, started_by=user, nonce_hash=nonce_hash(state), shop_url=url, platform=PLATFORM
    )
    return install.authorize_url(
        url,
        settings.SHOPIFY_CLIENT_ID,
        _absolute("shopify_installed"),
        state,
        base_url=_base_url(url),
    )


def _fresh():
    return KeyApproval.objects.filter(
        platform=PLATFORM,
        used_at__isnull=True,
        created_at__gte=timezone.now() - timedelta(seconds=APPROVAL_MAX_AGE),
    )


def pending(state: str) -> KeyApproval | None:
    """The unused, unexpired attempt whose ``state`` this is (the caller checks the user's role)."""
    if not state or len(state) > 200:
        return None
    return _fresh().select_related("tenant", "started_by").filter(nonce_hash=nonce_hash(state)).first()


def finish(approval: KeyApproval, user: User, params: Mapping[str, str]) -> WebshopConnection:
    """Verify Shopify's callback for ``approval``, use the attempt up, store the token; else ``SetupRefused``."""
    if approval.started_by_id != user.pk:
        raise SetupRefused(_("This Shopify connection was started by another user. Start connecting again."))
    _check_callback(approval, params)
    with transaction.atomic():  # single use, even when the exchange below fails (a code works once too)
        if not _fresh().select_for_update().filter(pk=approval.pk).update(used_at=timezone.now()):
            raise SetupRefused(unknown_attempt())
    try:
        installation = install.exchange_code(
            approval.shop_url,
            params["code"],
            client_id=settings.SHOPIFY_CLIENT_ID,
            client_secret=settings.SHOPIFY_CLIENT_SECRET,
            base_url=_base_url(approval.shop_url),
            timeout=settings.WEBSHOP_TIMEOUT,
        )
    except WebshopError as exc:
        raise SetupRefused(_("Shopify did not give Silta access: %(error)s") % {"error": exc}) from None
    if _missing_scopes(installation.scopes):
        raise SetupRefused(
            _("Shopify did not grant every right Silta needs, so nothing was stored. Approve the app again.")
        )
    return _store(approval, user, installation.access_token)


def unknown_attempt() -> str:
    return _("This Shopify connection attempt is unknown, already used or expired. Start connecting again.")


def _check_callback(approval: KeyApproval, params: Mapping[str, str]) -> None:
    """The callback's own checks, each refusal in the owner's words."""
    expected = shop_domain(approval.shop_url)
    if not is_shop_domain(str(params.get("shop") or "")):
        raise SetupRefused(_("Shopify's answer names a store outside myshopify.com, so nothing was stored."))
    if shop_domain(str(params["shop"])) != expected:
        raise SetupRefused(
            _(
                "Shopify's answer is for another store than %(shop)s, the one you typed, so nothing was stored."
            )
            % {"shop": expected}
        )
    try:
        install.verify_callback(
            params,
            client_secret=settings.SHOPIFY_CLIENT_SECRET,
            expected_state=str(params.get("state") or ""),  # found by its hash: the one Silta issued
            expected_shop=expected,
        )
    except install.CallbackRefused:
        raise SetupRefused(
            _(
                "Shopify's answer could not be verified (its signature or time is wrong), so nothing was stored."
            )
        ) from None


def _missing_scopes(granted: tuple[str, ...]) -> set[str]:
    # a write scope includes its read scope: Shopify may list only the write one
    implied = {s.replace("write_", "read_", 1) for s in granted if s.startswith("write_")}
    return set(install.SCOPES) - set(granted) - implied


def _store(approval: KeyApproval, user: User, token: str) -> WebshopConnection:
    tenant = approval.tenant
    with transaction.atomic():
        refuse_another_companys_shop(
            tenant, approval.shop_url
        )  # again: another company may have been quicker
        connection = WebshopConnection.objects.select_for_update().filter(
            tenant=tenant
        ).first() or WebshopConnection(tenant=tenant)
        connection.platform = PLATFORM
        connection.base_url = approval.shop_url
        connection.api_key = token  # encrypted at rest (EncryptedTextField)
        connection.api_secret = ""
        connection.webhook_secret = settings.SHOPIFY_CLIENT_SECRET  # Shopify signs with the app's secret
        connection.status = ConnectionStatus.CONNECTED
        connection.status_detail = ""
        connection.connected_at = timezone.now()
        connection.save()
        audit.record(
            tenant,
            user,
            audit.Action.CONNECTED_WEBSHOP,
            f"Webshop {connection.base_url}",
            "Access token received (Shopify app install)",
        )
    return connection
