from django.apps import AppConfig
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
