"""The audit trail: who did what to a tenant's integration, and when. Append-only.

Entries are written by `integration.people.audit.record` only. An entry is never changed or deleted
(save() of an existing row and delete() refuse); they go only with their tenant. Deleting a tenant
is itself recorded without a tenant, so that entry survives.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .tenancy import Tenant


class AuditEntryIsFinal(Exception):
    """An audit entry was about to be changed or deleted: the trail is append-only."""


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        CONNECTED_EACCOUNTING = "connected_eaccounting", _("Connected eAccounting")
        CONNECTED_WEBSHOP = "connected_webshop", _("Connected the webshop")
        ACTIVATED = "activated", _("Activated the integration")
        APPLIED_AVAILABILITY = "applied_availability", _("Applied the Available in Webshop rules")
        RELEASED_AVAILABILITY = "released_availability", _("Let the rules decide hand-changed articles again")
        SWITCHED_CONVERSION = "switched_conversion", _("Switched webshop order conversion")
        DEACTIVATED = "deactivated", _("Deactivated the integration")
        REVOKED_EACCOUNTING = "revoked_eaccounting", _("Revoked the eAccounting tokens")
        DELETED_TENANT = "deleted_tenant", _("Deleted the company from Silta")
        APPLIED_FIRST_SYNC = "applied_first_sync", _("Applied the first sync")
        CONFIRMED_OVERWRITES = "confirmed_overwrites", _("Confirmed overwrites")
        UNDID_IMPORT = "undid_import", _("Undid the first-sync import")
        CONFIRMED_MASS_CHANGE = "confirmed_mass_change", _("Confirmed a mass price change")
        ADDED = "added", _("Added a setting")
        CHANGED = "changed", _("Changed a setting")
        DELETED = "deleted", _("Deleted a setting")
        RETRIED = "retried", _("Retried")
        BOOKED_AS_ONE_UNIT = "booked_as_one_unit", _("Chose to book lines as one unit")
        BOOKED_BY_HAND = "booked_by_hand", _("Marked an order as entered in eAccounting by hand")
        ERASED_PERSONAL_DATA = "erased_personal_data", _("Erased a customer's personal data")
        ANSWERED_DATA_REQUEST = "answered_data_request", _("Listed the data held on a customer")
        INVITED = "invited", _("Invited a colleague")
        ACCEPTED_INVITATION = "accepted_invitation", _("Accepted an invitation")
        REVOKED_INVITATION = "revoked_invitation", _("Withdrew an invitation")
        CHANGED_ROLE = "changed_role", _("Changed a member's role")
        REMOVED_MEMBER = "removed_member", _("Removed a member")
        # A person's own login, not a company's: recorded without a tenant (superusers see it).
        TURNED_ON_TWO_FACTOR = "turned_on_two_factor", _("Turned on two-factor login")
        TURNED_OFF_TWO_FACTOR = "turned_off_two_factor", _("Turned off two-factor login")

    # Empty only for installation-level entries (a deleted company: its own entries went with it);
    # those are seen by superusers only, as every list is scoped to the user's tenants.
    tenant = models.ForeignKey(
        Tenant,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="audit_entries",
        verbose_name=_("company"),
    )
    # The user may be deleted later; `username` keeps who it was (or names a non-person: the shop, a command).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user account"),
    )
    username = models.CharField(_("user"), max_length=150)
    action = models.CharField(_("action"), max_length=30, choices=Action.choices)
    target = models.CharField(_("target"), max_length=300, blank=True, help_text=_("What was acted on."))
    detail = models.TextField(
        _("detail"), blank=True, help_text=_("E.g. which fields changed. Never secrets or personal data.")
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        indexes = [models.Index(fields=["tenant", "-created_at"])]

    def __str__(self):
        return f"{self.username}: {self.get_action_display()} {self.target}".strip()

    def save(self, *args, **kwargs):
        if self.pk is not None or not self._state.adding:
            raise AuditEntryIsFinal("An audit entry cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditEntryIsFinal("An audit entry cannot be deleted.")
