"""The books check of one company's month: what was found, kept so the page and the CSV show the same."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .tenancy import Tenant


class BooksCheck(models.Model):
    """One run of the books check (``orders.books_reader``): it reads the shop and eAccounting, never writes."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="books_checks")
    period = models.CharField(max_length=7, help_text="The month, YYYY-MM (the Finnish calendar).")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    requested_by = models.CharField(max_length=150, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    progress_text = models.CharField(max_length=200, blank=True)
    orders = models.PositiveIntegerField(default=0)
    rows = models.JSONField(default=list, blank=True, help_text="One row per order or unmatched document.")
    differences = models.JSONField(default=list, blank=True)
    csv = models.TextField(blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["tenant", "period", "-created_at"])]
        verbose_name = _("books check")
        verbose_name_plural = _("books checks")

    def __str__(self):
        return f"Books check {self.period} of {self.tenant} ({self.get_status_display()})"
