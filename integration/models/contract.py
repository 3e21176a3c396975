"""What Silta takes to be true of eAccounting where Visma's document is silent (installation-wide),
and the probe reports that observed it.

A `ContractSetting` row exists once a value was accepted from a probe or learnt in operation; without
one, the installation's settings (environment) are the default. See integration/eaccounting/contract.py.
"""

from django.conf import settings
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _


class ContractKey(models.TextChoices):
    PAGE_SIZE_MAX = "page_size_max", _("Largest page size")
    FILTER_OR = "filter_or", _("`or` accepted in $filter")
    FILTER_YOUR_REFERENCE = "filter_your_reference", _("YourReference accepted in $filter")
    STOCK_MODULE_NAMES = "stock_module_names", _("ActivatedModules names of the stock module")
    VAT_RATE_FORMAT = "vat_rate_format", _("Format of VatRatePercent in codings")
    RATE_LIMIT = "rate_limit", _("Requests allowed per window")
    RATE_WINDOW = "rate_window", _("Rate limit window (seconds)")
    RATE_LIMIT_KEY = "rate_limit_key", _("Whose budget the limit counts")
    RATE_LIMIT_BUCKET = "rate_limit_bucket", _("What the limit counts per")
    RETRY_AFTER = "retry_after", _("429 answers carry Retry-After")
    REFRESH_ROTATION_GRACE = "refresh_rotation_grace", _("Old refresh token usable after rotation")
    STOCK_BUMPS_CHANGED_UTC = "stock_bumps_changed_utc", _("Stock movements change ChangedUtc")
    PUT_RESETS_OMITTED = "put_resets_omitted", _("PUT resets omitted fields")
    PRIVATE_PRICES_INCLUDE_VAT = "private_prices_include_vat", _("IncludesVat for private persons")
    COMPANY_PRICES_INCLUDE_VAT = "company_prices_include_vat", _("IncludesVat for companies")
    CONVERTED_ORDERS_STAY_LISTED = "converted_orders_stay_listed", _("Converted webshop orders stay listed")


class ContractSource(models.TextChoices):
    DEFAULT = "default", _("default")
    PROBE = "probe", _("probe")
    LEARNED = "learned", _("learned in operation")


class ContractSetting(models.Model):
    """The running value of one switch, where it came from and why it is believed."""

    key = models.CharField(max_length=40, choices=ContractKey.choices, unique=True)
    value = models.JSONField(null=True)
    source = models.CharField(max_length=10, choices=ContractSource.choices, default=ContractSource.DEFAULT)
    evidence = models.TextField(blank=True)
    observed_at = models.DateTimeField(null=True, blank=True)
    report = models.ForeignKey(
        "ProbeReport", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("eAccounting contract setting")
        verbose_name_plural = _("eAccounting contract settings")

    def __str__(self):
        return f"{self.key} = {self.value!r} ({self.source})"


class ProbeReport(models.Model):
    """One run of `manage.py probe_eaccounting`: its findings and every request and answer (secrets masked)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    tenant = models.ForeignKey(
        "Tenant",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("test company"),
    )
    second_tenant = models.ForeignKey(
        "Tenant",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("second test company"),
    )
    company_name = models.CharField(_("company"), max_length=200, blank=True)
    write = models.BooleanField(_("test records made"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.CharField(_("progress"), max_length=200, blank=True)
    started_by = models.CharField(_("started by"), max_length=150, blank=True)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    wall_seconds = models.FloatField(_("seconds"), null=True, blank=True)
    request_count = models.PositiveIntegerField(_("requests"), default=0)
    findings = models.JSONField(_("findings"), default=list, blank=True)
    exchanges = models.JSONField(_("requests and answers"), default=list, blank=True)
    made = models.JSONField(
        _("made"), default=list, blank=True, help_text=_("What the write phase made and how it was undone.")
    )
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("eAccounting probe report")
        verbose_name_plural = _("eAccounting probe reports")

    def __str__(self):
        return _("Probe of %(company)s at %(time)s") % {
            "company": self.company_name or self.tenant,
            "time": formats.date_format(timezone.localtime(self.started_at), "SHORT_DATETIME_FORMAT"),
        }
