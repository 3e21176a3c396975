"""Installation-wide django-q2 entry points (not per tenant): thin, the work lives elsewhere."""

import logging

from integration.work.registry import task

log = logging.getLogger(__name__)


@task()
def cleanup() -> str:
    """The nightly cleanup (schedule silta:cleanup): old runs, events, deliveries and task results."""
    from integration.privacy.cleanup import prune, summary

    text = summary(prune())
    log.info("cleanup: %s", text)
    return text


@task()
def replan_schedules() -> str:
    """Hourly (silta:replan): every tenant's intervals within eAccounting's shared budget."""
    from integration.scheduling.schedules import replan

    plan = replan()
    text = (
        f"shortest intervals {plan.minimum} min; expected {plan.articles_per_minute:.0f} article "
        f"requests a minute of {plan.allowed_per_minute:.0f} planned"
    )
    log.info("replan: %s", text)
    return text


@task()
def prune_personal_data() -> str:
    """Daily (silta:prune-personal-data): customers' personal data past each tenant's retention, blanked."""
    from integration.privacy.retention import prune, summary

    text = summary(prune())
    log.info("personal data pruned: %s", text)
    return text
