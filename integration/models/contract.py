"""What Silta takes to be true of eAccounting where Visma's document is silent (installation-wide),
and the probe reports that observed it.

A `ContractSetting` row exists once a value was accepted from a probe or learnt in operation; without
one, the installation's settings (environment) are the default. See integration/eaccounting/contract.py.
"""

from django.conf import settings
from django.db import models
from django.utils import formats, timezone


class ContractKey(models.TextChoices):
    PAGE_SIZE_MAX = "page_size_max", "Largest page size"
    FILTER_OR = "filter_or", "`or` accepted in $filter"
    FILTER_YOUR_REFERENCE = "filter_your_reference", "YourReference accepted in $filter"
    STOCK_MODULE_NAMES = "stock_module_names", "ActivatedModules names of the stock module"
    VAT_RATE_FORMAT = "vat_rate_format", "Format of VatRatePercent in codings"
    RATE_LIMIT = "rate_limit", "Requests allowed per window"
    RATE_WINDOW = "rate_window", "Rate limit window (seconds)"
    RATE_LIMIT_KEY = "rate_limit_key", "Whose budget the limit counts"
    RATE_LIMIT_BUCKET = "rate_limit_bucket", "What the limit counts per"
    RETRY_AFTER = "retry_after", "429 answers carry Retry-After"
    REFRESH_ROTATION_GRACE = "refresh_rotation_grace", "Old refresh token usable after rotation"
    STOCK_BUMPS_CHANGED_UTC = "stock_bumps_changed_utc", "Stock movements change ChangedUtc"
    PUT_RESETS_OMITTED = "put_resets_omitted", "PUT resets omitted fields"
    PRIVATE_PRICES_INCLUDE_VAT = "private_prices_include_vat", "IncludesVat for private persons"
    COMPANY_PRICES_INCLUDE_VAT = "company_prices_include_vat", "IncludesVat for companies"
    CONVERTED_ORDERS_STAY_LISTED = "converted_orders_stay_listed", "Converted webshop orders stay listed"


class ContractSource(models.TextChoices):
    DEFAULT = "default", "default"
    PROBE = "probe", "probe"
    LEARNED = "learned", "learned in operation"


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
        verbose_name = "eAccounting contract setting"

    def __str__(self):
        return f"{self.key} = {self.value!r} ({self.source})"


class ProbeReport(models.Model):
    """One run of `manage.py probe_eaccounting`: its findings and every request and answer (secrets masked)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "queued"
        RUNNING = "running", "running"
        DONE = "done", "done"
        FAILED = "failed", "failed"

    tenant = models.ForeignKey("Tenant", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    second_tenant = models.ForeignKey(
        "Tenant", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    company_name = models.CharField(max_length=200, blank=True)
    write = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.CharField(max_length=200, blank=True)
    started_by = models.CharField(max_length=150, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    wall_seconds = models.FloatField(null=True, blank=True)
    request_count = models.PositiveIntegerField(default=0)
    findings = models.JSONField(default=list, blank=True)
    exchanges = models.JSONField(default=list, blank=True)
    made = models.JSONField(
        default=list, blank=True, help_text="What the write phase made and how it was undone."
    )
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = "eAccounting probe report"

    def __str__(self):
        when = formats.date_format(timezone.localtime(self.started_at), "SHORT_DATETIME_FORMAT")
        return f"Probe of {self.company_name or self.tenant} at {when}"
