"""Tenants whose webshop is Visma Verkkokauppa: availability rules and webshop-order conversions.

Visma's own link moves the articles; eAccounting's API is the only surface Silta has: the
*Available in Webshop* flag (`SendToWebshop`) and `/webshoporders` with their conversion.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from integration.work.models import ClaimedWork

from .tenancy import Tenant


class VismaWebshopSettings(models.Model):
    """The rules that decide *Available in Webshop*, and whether webshop orders are converted."""

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="visma_webshop_settings")
    only_active = models.BooleanField("only active articles", default=True)
    only_stock_items = models.BooleanField("only stock articles", default=False)
    exclude_services = models.BooleanField("never service articles", default=True)
    labels = models.CharField(
        "only articles with these labels",
        max_length=500,
        blank=True,
        help_text="eAccounting article label names, comma-separated; empty: any article.",
    )
    excluded_numbers = models.TextField(
        "never these article numbers",
        blank=True,
        help_text="Template articles (shipping, fees, rounding) and others that must never be for sale; "
        "comma-separated or one per line.",
    )
    rules_applied_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Set when a person applies the rules; from then on they are kept applied.",
    )
    preview = models.JSONField(
        default=dict, blank=True, help_text="The last preview: rules and changes, as shown."
    )
    convert_orders = models.BooleanField(
        "convert webshop orders to invoices",
        default=False,
        help_text="Conversion makes a paid invoice and eAccounting may e-mail the customer a receipt.",
    )
    convert_orders_since = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Orders placed before this are left for a person (set when switched on).",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = _("Visma Verkkokauppa settings")

    def __str__(self):
        return f"Visma Verkkokauppa settings of {self.tenant}"


class AvailabilityMark(models.Model):
    """What Silta last set (or found agreeing) for one article's flag: a different flag now means a person
    changed it in eAccounting, and Silta holds off that article until someone lets the rules decide again."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="availability_marks")
    article_id = models.CharField("eAccounting article ID", max_length=64)
    number = models.CharField(max_length=40)
    available = models.BooleanField()
    held_by_hand = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "article_id"], name="one_mark_per_article")]
        ordering = ["number"]
        verbose_name = _("availability mark")
        verbose_name_plural = _("availability marks")

    def __str__(self):
        return f"{self.number}: {'available' if self.available else 'not available'}"


class WebshopOrderConversion(ClaimedWork):
    """One Visma webshop order's conversion to an invoice. The row exists before the remote call, and
    a resumed attempt looks for the invoice before converting again (claimed like order transfers)."""

    class Outcome(models.TextChoices):
        OPEN = "", _("Not yet")
        CONVERTED = "converted", _("Converted by Silta")
        BY_HAND = "by_hand", _("Converted by a person in eAccounting")
        GONE = "gone", _("No longer in eAccounting")

    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, related_name="webshop_order_conversions", verbose_name=_("company")
    )
    webshop_order_id = models.CharField(_("eAccounting webshop order ID"), max_length=64)
    order_number = models.CharField(_("webshop order number"), max_length=40, blank=True)
    order_date = models.DateTimeField(_("order date"), null=True, blank=True)
    total = models.DecimalField(_("total"), max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    # what tells its invoice apart (customer, rows), as read; never shown: it holds personal data
    fingerprint = models.JSONField(_("fingerprint"), default=dict, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.OPEN, blank=True
    )
    reason = models.TextField(_("reason"), blank=True)
    invoice_id = models.CharField(_("eAccounting invoice ID"), max_length=64, blank=True)
    invoice_number = models.CharField(_("invoice number"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    converted_at = models.DateTimeField(_("converted"), null=True, blank=True)

    class Meta:
        ordering = ["-order_date"]
        verbose_name = _("webshop order conversion")
        verbose_name_plural = _("webshop order conversions")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "webshop_order_id"], name="one_conversion_per_webshop_order"
            ),
            # an invoice accounts for one webshop order only: two identical orders need two invoices
            models.UniqueConstraint(
                fields=["tenant", "invoice_id"],
                condition=~models.Q(invoice_id=""),
                name="one_webshop_order_per_invoice",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "status"])]

    def __str__(self):
        return _("Webshop order %(number)s (%(status)s)") % {
            "number": self.order_number,
            "status": self.get_status_display(),
        }


__all__ = ["VismaWebshopSettings", "AvailabilityMark", "WebshopOrderConversion"]
