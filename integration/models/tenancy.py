"""Tenants (companies) and who may act for them."""

import uuid
import zoneinfo
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

business_id_validator = RegexValidator(
    r"^\d{7}-\d$", _("Enter a Finnish business ID (Y-tunnus) like 1234567-8.")
)


def default_time_zone() -> str:
    """The installation's zone (TIME_ZONE, Europe/Helsinki unless set): a callable, so a migration
    does not freeze one installation's setting."""
    return settings.TIME_ZONE


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("“%(zone)s” is not a time zone, e.g. Europe/Helsinki."), params={"zone": value}
        )


class Tenant(models.Model):
    """A company served by this installation: one eAccounting company and one webshop."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name in addresses"), max_length=60, unique=True)
    business_id = models.CharField(
        _("business ID (Y-tunnus)"),
        max_length=9,
        blank=True,
        validators=[business_id_validator],
        help_text=_("Checked against the eAccounting company when it is connected."),
    )
    is_active = models.BooleanField(_("integration active"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    activated_at = models.DateTimeField(_("activated"), null=True, blank=True)
    # In URLs that systems outside call (webhooks): stable and not guessable, unlike the slug.
    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    personal_data_retention_days = models.PositiveSmallIntegerField(
        _("keep customers' personal data (days)"),
        default=90,
        validators=[MinValueValidator(7), MaxValueValidator(3650)],
        help_text=_(
            "After this many days the customer names, e-mails and error texts in Silta's records of "
            "orders are blanked (the records, their counts and eAccounting links stay)."
        ),
    )
    # Schedules' "daily at 02:00" and the times on the company's pages are in this zone.
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=default_time_zone,
        validators=[validate_time_zone],
        help_text=_(
            "Daily schedules run at their time in this zone, and the company's pages show times in it."
        ),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("company")
        verbose_name_plural = _("companies")

    def __str__(self):
        return self.name

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        MEMBER = "member", _("Member")

    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("company")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user"], name="one_membership_per_user_and_tenant")
        ]
        ordering = ["tenant__name", "user__username"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self):
        return f"{self.user} – {self.tenant} ({self.get_role_display()})"
