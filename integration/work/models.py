"""The work machinery's rows: the claim's fields, declared once (every row that makes one remote call happen
exactly once inherits them), and the per-tenant job lease.

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

    status = models.CharField(
        _("status"), max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    token = models.PositiveIntegerField(_("claim token"), default=0)
    lease_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    sending_since = models.DateTimeField(_("sending since"), null=True, blank=True)

    class Meta:
        abstract = True


class JobLease(models.Model):
    """Who may run a tenant's jobs of one kind now: a lease with a heartbeat and a fencing token.

    `catalogue` covers everything that writes the catalogue (article sync, stock reconcile, first
    import); `orders` the order transfer. Work that finds the lease taken is queued in `pending`
    and enqueued when the holder lets go, so nothing triggered meanwhile is lost.

    `waiting_since`: a run of this lock is queued and has not started yet; what triggers it again
    meanwhile (a webhook, a poll) joins that run instead of queueing another one (leases.join), and
    the run takes `waiting_ids` when it starts holding the lease (null: everything, a poll)."""

    class Lock(models.TextChoices):
        CATALOGUE = "catalogue", _("Catalogue")
        ORDERS = "orders", _("Orders")

    tenant = models.ForeignKey("integration.Tenant", on_delete=models.CASCADE, related_name="job_leases")
    lock = models.CharField(max_length=20, choices=Lock.choices)
    token = models.PositiveIntegerField(default=0)
    holder = models.CharField(max_length=200, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    pending = models.JSONField(default=list, blank=True, help_text="Tasks to run when the holder is done.")
    waiting_since = models.DateTimeField(
        null=True, blank=True, help_text="When the run now queued (not started) was queued."
    )
    waiting_ids = models.JSONField(
        null=True,
        default=list,
        blank=True,
        help_text="The ids the queued run takes; null: everything (a poll).",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "lock"], name="one_lease_per_tenant_and_lock")
        ]
        verbose_name = _("job lease")
        verbose_name_plural = _("job leases")

    def __str__(self):
        return f"{self.tenant} {self.lock} lease"
