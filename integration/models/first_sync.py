"""The first sync's preview and what became of each item, so it can be confirmed and undone."""

from django.db import models

from .tenancy import Tenant


class FirstSync(models.Model):
    class Status(models.TextChoices):
        PREPARING = "preparing", "Preparing the preview"
        PREVIEW = "preview", "Preview: waiting for Yes"
        APPLYING = "applying", "Applying"
        CREATED = "created", "Created; overwrites waiting for confirmation"
        DONE = "done", "Done"
        UNDONE = "undone", "Undone"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="first_syncs")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PREVIEW)
    summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True, help_text="Why the last step failed, in words.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"First sync of {self.tenant} ({self.get_status_display()})"


class ImportItem(models.Model):
    class Kind(models.TextChoices):
        CREATE = "create", "Create in eAccounting"
        OVERWRITE = "overwrite", "Overwrite in eAccounting"
        LINK = "link", "Same in both: link"
        REJECT = "reject", "Cannot be imported"
        PUSH_CREATE = "push_create", "Create in the shop"
        LEFT_OUT = "left_out", "Left out of the shop"

    class State(models.TextChoices):
        PLANNED = "planned", "Planned"
        APPLIED = "applied", "Done"
        SKIPPED = "skipped", "Skipped"
        FAILED = "failed", "Failed"
        UNDONE = "undone", "Undone"

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

    def __str__(self):
        return f"{self.get_kind_display()}: {self.sku or self.name}"
