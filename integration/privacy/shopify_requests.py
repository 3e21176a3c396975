"""Shopify's three mandatory privacy webhooks, answered with Silta's own erasure.

Shopify sends them to one address of the app (not per shop), signed like every delivery with the
app's client secret (``X-Shopify-Hmac-SHA256`` over the raw body); a wrong signature is answered
401, as the privacy-law-compliance page requires. The shop is the payload's ``shop_domain``.

- ``customers/redact``: the customer's e-mail is erased from that company's records
  (``erasure.erase``; eAccounting and the shop keep their invoices, as the law asks).
- ``customers/data_request``: what Silta holds on the customer is counted (a dry run of the same
  erasure) and written to the company's audit trail, where its owners see it and can hand it to
  the shop; no e-mail is written there.
- ``shop/redact`` (48 hours after an uninstall): the shop's access token is dropped and the
  connection needs reconnecting; the company's own records stay until the company is deleted.

A shop Silta does not know is answered 200 too: Silta holds nothing of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction

from integration.models import AuditEntry, ConnectionStatus, Tenant, WebshopConnection
from integration.people import audit
from integration.privacy import erasure
from integration.webshops.base import PayloadInvalid, SignatureInvalid
from integration.webshops.identity import shop_identity
from integration.webshops.shopify import webhooks
from integration.webshops.shopify.domain import NotAShopDomain, shop_domain

TOPICS = ("customers/data_request", "customers/redact", "shop/redact")
ACTOR = "Shopify (privacy webhook)"


@dataclass
class Answer:
    status: int
    message: str


def receive(headers: Mapping[str, str], body: bytes, client_secret: str) -> Answer:
    try:
        delivery = webhooks.verify_delivery(headers, body, client_secret)
    except SignatureInvalid:
        return Answer(401, "signature missing or invalid")
    except PayloadInvalid as exc:
        return Answer(400, str(exc))
    if delivery.topic not in TOPICS:
        return Answer(400, "not a privacy topic")
    payload = delivery.payload or {}
    try:
        domain = shop_domain(str(payload.get("shop_domain") or webhooks.shop_of(headers)))
    except NotAShopDomain:
        return Answer(400, "shop_domain is not a myshopify.com store")
    tenant = tenant_of(domain)
    if tenant is None:
        return Answer(200, "no records of this shop")
    given = payload.get("customer")
    customer: dict = given if isinstance(given, dict) else {}
    email = str(customer.get("email") or "")
    if delivery.topic == "customers/redact":
        if "@" in email:
            erasure.erase(email, tenant, username=ACTOR)
        return Answer(200, "erased")
    if delivery.topic == "customers/data_request":
        report = erasure.erase(email, tenant, dry_run=True) if "@" in email else None
        held = "; ".join(report.lines()) if report and report.lines() else "nothing"
        asked = payload.get("data_request")
        request_id = asked.get("id", "") if isinstance(asked, dict) else ""
        audit.record(
            tenant,
            None,
            AuditEntry.Action.ANSWERED_DATA_REQUEST,
            f"Shopify data request {request_id}".strip(),
            f"Records Silta holds on the customer (Shopify customer {customer.get('id', '')}): {held}. "
            "Erase them with the customer's e-mail (manage.py erase_customer) or hand the list to the shop.",
            username=ACTOR,
        )
        return Answer(200, "listed")
    with transaction.atomic():  # shop/redact
        WebshopConnection.objects.filter(tenant=tenant).update(
            api_key="", status=ConnectionStatus.NEEDS_RECONNECT, status_detail=SHOP_REDACTED
        )
        audit.record(
            tenant,
            None,
            AuditEntry.Action.ERASED_PERSONAL_DATA,
            f"Shopify store {domain}",
            SHOP_REDACTED,
            username=ACTOR,
        )
    return Answer(200, "shop data dropped")


SHOP_REDACTED = "Shopify asked Silta to forget the store (shop/redact): its access token was dropped."


def tenant_of(domain: str) -> Tenant | None:
    identity = shop_identity(f"https://{domain}")
    connection = (
        WebshopConnection.objects.select_related("tenant")
        .filter(platform=WebshopConnection.Platform.SHOPIFY, shop_identity=identity)
        .first()
    )
    return connection.tenant if connection else None
