from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class IntegrationConfig(AppConfig):
    name = "integration"
    verbose_name = _("Integration")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_migrate

        from integration.scheduling import signals  # noqa: F401  (connects the receivers)
        from integration.scheduling.installation import ensure_schedules

        # The installation-wide schedules (the nightly cleanup), once per migrate.
        post_migrate.connect(ensure_schedules, sender=self, dispatch_uid="silta.ops_schedules")
        checks.register(task_retry_check)


def task_retry_check(app_configs: object = None, **kwargs: object) -> list[checks.CheckMessage]:
    """Every registered task ends (timeout included) before django-q2 would hand it out again."""
    from django.conf import settings

    from integration import tasks  # noqa: F401  (registers the tasks)
    from integration.work import registry

    return [
        checks.Error(problem, id="silta.E010")
        for problem in registry.retry_problems(settings.Q_CLUSTER["retry"])
    ]
