"""The first sync's preview and what became of each item, so it can be confirmed and undone."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .tenancy import Tenant


class FirstSync(models.Model):
    class Status(models.TextChoices):
        PREPARING = "preparing", _("Preparing the preview")
        PREVIEW = "preview", _("Preview: waiting for Yes")
        APPLYING = "applying", _("Applying")
        CREATED = "created", _("Created; overwrites waiting for confirmation")
        DONE = "done", _("Done")
        UNDONE = "undone", _("Undone")

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="first_syncs")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PREVIEW)
    summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True, help_text="Why the last step failed, in words.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("first sync")
        verbose_name_plural = _("first syncs")

    def __str__(self):
        return f"First sync of {self.tenant} ({self.get_status_display()})"


class ImportItem(models.Model):
    class Kind(models.TextChoices):
        CREATE = "create", _("Create in eAccounting")
        OVERWRITE = "overwrite", _("Overwrite in eAccounting")
        LINK = "link", _("Same in both: link")
        REJECT = "reject", _("Cannot be imported")
        PUSH_CREATE = "push_create", _("Create in the shop")
        LEFT_OUT = "left_out", _("Left out of the shop")

    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")
        APPLIED = "applied", _("Done")
        SKIPPED = "skipped", _("Skipped")
        FAILED = "failed", _("Failed")
        UNDONE = "undone", _("Undone")

    first_sync = models.ForeignKey(FirstSync, on_delete=models.CASCADE, related_name="items")
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="import_items")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    sku = models.CharField(max_length=100, blank=True)
    name = models.CharField(max_length=300, blank=True)
    product_id = models.BigIntegerField(null=True, blank=True)
    article_id = models.CharField(max_length=64, blank=True)
    payload = models.JSONField(default=dict, help_text="The planned item as shown in the preview.")
    reason = models.TextField(blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PLANNED)

    class Meta:
        ordering = ["first_sync", "kind", "sku"]
        indexes = [models.Index(fields=["first_sync", "kind", "state"])]
        verbose_name = _("first sync item")
        verbose_name_plural = _("first sync items")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.sku or self.name}"

    @property
    def reason_shown(self) -> str:
        """The stored (English) reason in the reader's language."""
        from integration.sync.import_reasons import in_language  # the models load before the sync modules

        return in_language(self.reason)
