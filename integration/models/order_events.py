"""What happened to one web order, as typed events (like saleor's OrderEvent): the order's own history.

One row per change of the order's state, never one per poll: a waiting order polled every few minutes
with the same reason has one `waiting` event. `params` is small and names no person: reason sentences
(redacted like the transfer's own reason, and blanked by the retention like it), document numbers, amounts.
"""

from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from .orders import OrderTransfer
from .runs import SyncRun
from .tenancy import Tenant


class OrderEventKind(models.TextChoices):
    RECEIVED = "received", _("Received")
    PLANNED = "planned", _("Planned")
    WAITING = "waiting", _("Waiting")
    TRANSFERRED = "transferred", _("Transferred")
    HELD = "held", _("Held")
    INVOICED = "invoiced", _("Invoiced")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")
    REFUNDED = "refunded", _("Refunded")
    CHANGED = "changed", _("Changed")
    BY_HAND = "by_hand", _("Entered by hand")


class OrderEvent(models.Model):
    Kind = OrderEventKind

    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, related_name="order_events", verbose_name=_("company")
    )
    transfer = models.ForeignKey(
        OrderTransfer, on_delete=models.CASCADE, related_name="events", verbose_name=_("order transfer")
    )
    kind = models.CharField(_("event"), max_length=12, choices=OrderEventKind.choices)
    at = models.DateTimeField(_("time"))
    params = models.JSONField(_("details"), default=dict, blank=True)
    run = models.ForeignKey(
        SyncRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sync run"),
    )

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["tenant", "transfer", "at"])]
        verbose_name = _("order event")
        verbose_name_plural = _("order events")

    def __str__(self):
        return f"{self.get_kind_display()} ({formats.date_format(timezone.localtime(self.at), 'SHORT_DATETIME_FORMAT')})"
