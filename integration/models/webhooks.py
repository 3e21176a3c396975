"""Webhook deliveries received from shops."""

from django.db import models
from django.db.models import Q

from .tenancy import Tenant


class WebhookDelivery(models.Model):
    """One webhook delivery received from a tenant's shop: recorded once, so a repeat is ignored."""

    class Outcome(models.TextChoices):
        ENQUEUED = "enqueued", "Work enqueued"
        ECHO = "echo", "Ignored: echo of Silta's own write"
        IGNORED = "ignored", "Ignored: topic not used"
        THROTTLED = "throttled", "Not enqueued: over the per-minute cap (the next scheduled run picks it up)"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="webhook_deliveries")
    delivery_id = models.CharField(
        max_length=100, blank=True, help_text="The shop's X-WC-Webhook-Delivery-ID (unsigned)."
    )
    # What makes a delivery the same one again: a hash of the topic, resource, id and signed body.
    # Not the delivery ID, which is outside the signature and anyone replaying a body can change.
    content_key = models.CharField(max_length=64, blank=True, editable=False)
    topic = models.CharField(max_length=60)
    resource_id = models.CharField(max_length=40, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "webhook deliveries"
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "content_key"],
                condition=~Q(content_key=""),
                name="one_delivery_per_tenant_and_content",
            ),
        ]

    def __str__(self):
        return f"{self.topic} #{self.resource_id} ({self.get_outcome_display()})"
