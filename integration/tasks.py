"""Thin django-q2 entry points. Business logic lives elsewhere; these only load and call."""

import logging

log = logging.getLogger(__name__)


def ping() -> str:
    """A no-op task: proves a cluster picks up work (smoke tests, health checks)."""
    return "pong"


def handle_webhook(tenant_id: int, topic: str, resource_id: str) -> str:
    """A shop told us something changed. The sync jobs (orders, articles) will pick it up from here."""
    log.info("webhook %s for tenant %s, resource %s", topic, tenant_id, resource_id)
    return f"{topic} {resource_id}"


def check_webhooks(tenant_id: int) -> list[str]:
    """Re-enable webhooks the shop disabled and recreate missing ones."""
    from .webshop_setup import check_webhooks as check

    return check(tenant_id)
