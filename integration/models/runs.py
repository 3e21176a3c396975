"""A record of every sync run and what happened to each item in it."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from .tenancy import Tenant


class SyncRun(models.Model):
    class Kind(models.TextChoices):
        ARTICLES = "articles", _("Article sync")
        FIRST_IMPORT = "first_import", _("First sync import")
        STOCK = "stock", _("Stock reconcile")
        ORDERS = "orders", _("Order import")
        AVAILABILITY = "availability", _("Available in Webshop rules")
        WEBSHOP_ORDERS = "webshop_orders", _("Webshop order conversion")

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("Schedule")
        MANUAL = "manual", _("Sync now")
        WEBHOOK = "webhook", _("Webhook")
        ACTIVATION = "activation", _("Activation")

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        NEEDS_CONFIRMATION = "needs_confirmation", _("Waiting for confirmation")

    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, related_name="sync_runs", verbose_name=_("company")
    )
    kind = models.CharField(_("job"), max_length=20, choices=Kind.choices)
    trigger = models.CharField(
        _("started by"), max_length=20, choices=Trigger.choices, default=Trigger.MANUAL
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RUNNING)
    dry_run = models.BooleanField(_("preview only"), default=False)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    progress_done = models.PositiveIntegerField(_("items done"), default=0)
    progress_total = models.PositiveIntegerField(_("items in all"), null=True, blank=True)
    counts = models.JSONField(
        _("counts"), default=dict, blank=True, help_text=_("Items per outcome, requests per system.")
    )
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("sync run")
        verbose_name_plural = _("sync runs")
        indexes = [models.Index(fields=["tenant", "kind", "-started_at"])]

    def __str__(self):
        # the reader's date format, on the clock of the request (portal/time_zone.py): never raw UTC
        when = formats.date_format(timezone.localtime(self.started_at), "SHORT_DATETIME_FORMAT")
        return f"{self.get_kind_display()} {when} ({self.get_status_display()})"


class SyncEvent(models.Model):
    """One item of a run: changed, skipped or failed, with the reason and the fields involved."""

    class Outcome(models.TextChoices):
        CREATED = "created", _("Created")
        UPDATED = "updated", _("Updated")
        HIDDEN = "hidden", _("Hidden")
        RESTORED = "restored", _("Brought back")
        DRIFT = "drift", _("Changed in the shop, put back")
        SKIPPED = "skipped", _("Skipped")
        FAILED = "failed", _("Failed")

    run = models.ForeignKey(SyncRun, on_delete=models.CASCADE, related_name="events", verbose_name=_("run"))
    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, related_name="sync_events", verbose_name=_("company")
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    item = models.CharField(_("item"), max_length=100, help_text=_("Article number, SKU or order number."))
    fields = models.JSONField(_("fields"), default=dict, blank=True, help_text=_("Field: [before, after]."))
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["run", "id"]
        verbose_name = _("sync event")
        verbose_name_plural = _("sync events")
        indexes = [models.Index(fields=["tenant", "outcome", "-created_at"])]

    def __str__(self):
        return f"{self.item}: {self.get_outcome_display()}"


class JobSchedule(models.Model):
    """How often the tenant wants one of its jobs run. The django-q2 Schedule runs it at this
    interval, or less often when eAccounting's shared budget asks for it (budget_plan.py)."""

    class Job(models.TextChoices):
        ARTICLES = "articles", _("Article sync")
        STOCK = "stock", _("Stock reconcile")
        ORDERS = "orders", _("Order import")
        WEBHOOKS = "webhooks", _("Webhook check")
        AVAILABILITY = "availability", _("Available in Webshop rules")
        WEBSHOP_ORDERS = "webshop_orders", _("Webshop order conversion")

    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, related_name="job_schedules", verbose_name=_("company")
    )
    job = models.CharField(_("job"), max_length=20, choices=Job.choices)
    minutes = models.PositiveIntegerField(
        _("every (minutes)"),
        validators=[MinValueValidator(1), MaxValueValidator(7 * 24 * 60)],
        help_text=_(
            "How often to run it. eAccounting's request budget is shared by every company Silta "
            "serves: when it is needed, the job runs less often than this (see “runs every”)."
        ),
    )
    # With minutes = 24 h: the time of day in the company's time zone (Tenant.time_zone); blank:
    # once a day at the company's own moment (spread, so not every company starts at midnight).
    daily_at = models.TimeField(_("daily at"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "job"], name="one_interval_per_tenant_and_job")
        ]
        ordering = ["tenant", "job"]
        verbose_name = _("job schedule")
        verbose_name_plural = _("job schedules")

    def __str__(self):
        return f"{self.tenant}: {self.get_job_display()}"
