"""The claim's fields, declared once: every row that makes one remote call happen exactly once inherits them.

Order transfers, order steps and webshop-order conversions are `ClaimedWork`; `integration.work.claim`
takes, finishes and releases them. A new kind of exactly-once work inherits this model too.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ClaimStatus(models.TextChoices):
    """Where one piece of claimed work stands."""

    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    WAITING = "waiting", _("Waiting for a person")
    HELD = "held", _("Held: totals differ")
    DONE = "done", _("Done")
    SKIPPED = "skipped", _("Not done")


class ClaimedWork(models.Model):
    """A row committed before its remote call. Whoever holds the current `token` (fencing) may record the
    outcome; a worker killed mid-call leaves `lease_until` to expire, and the next one looks first."""

    Status = ClaimStatus

    status = models.CharField(max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    token = models.PositiveIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    sending_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
