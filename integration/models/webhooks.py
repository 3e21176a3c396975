"""Webhook deliveries received from shops."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .tenancy import Tenant


class WebhookDelivery(models.Model):
    """One webhook delivery received from a tenant's shop: recorded once, so a repeat is ignored."""

    class Outcome(models.TextChoices):
        ENQUEUED = "enqueued", _("Work enqueued")
        ECHO = "echo", _("Ignored: echo of Silta's own write")
        IGNORED = "ignored", _("Ignored: topic not used")
        # a product changed in the shop: the next article sync reads the shop's changed products
        # anyway, so the delivery starts no work of its own
        RECORDED = "recorded", _("Recorded: the next article sync reads the change")
        THROTTLED = (
            "throttled",
            _("Not enqueued: over the per-minute cap (the next scheduled run picks it up)"),
        )

    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, related_name="webhook_deliveries", verbose_name=_("company")
    )
    delivery_id = models.CharField(
        _("delivery ID"),
        max_length=100,
        blank=True,
        help_text=_("The shop's X-WC-Webhook-Delivery-ID (unsigned)."),
    )
    # What makes a delivery the same one again: a hash of the topic, resource, id and signed body.
    # Not the delivery ID, which is outside the signature and anyone replaying a body can change.
    content_key = models.CharField(_("content key"), max_length=64, blank=True, editable=False)
    topic = models.CharField(_("topic"), max_length=60)
    resource_id = models.CharField(_("resource ID"), max_length=40, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
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
