"""Installation-wide django-q2 entry points (not per tenant): thin, the work lives elsewhere."""

import logging

log = logging.getLogger(__name__)


def cleanup() -> str:
    """The nightly cleanup (schedule silta:cleanup): old runs, events, deliveries and task results."""
    from .cleanup import prune, summary

    text = summary(prune())
    log.info("cleanup: %s", text)
    return text
