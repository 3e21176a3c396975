"""How Silta reaches a tenant's systems (secrets encrypted at rest), and the shared API budget."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..fields import EncryptedTextField
from ..webshops.identity import shop_identity
from .tenancy import Tenant


class ConnectionStatus(models.TextChoices):
    NOT_CONNECTED = "not_connected", _("Not connected")
    CONNECTED = "connected", _("Connected")
    NEEDS_RECONNECT = "needs_reconnect", _("Needs reconnect")


class EAccountingConnection(models.Model):
    """OAuth2 tokens for the tenant's eAccounting company (tokens encrypted at rest)."""

    tenant = models.OneToOneField(
        Tenant, on_delete=models.CASCADE, related_name="eaccounting_connection", verbose_name=_("company")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ConnectionStatus.choices, default=ConnectionStatus.NOT_CONNECTED
    )
    company_id = models.CharField(
        _("eAccounting company ID"),
        max_length=64,
        blank=True,
        help_text=_("The company the tokens are bound to; one company belongs to one tenant."),
    )
    company_name = models.CharField(_("eAccounting company"), max_length=200, blank=True)
    access_token = EncryptedTextField(_("access token"))
    refresh_token = EncryptedTextField(_("refresh token"))
    access_token_expires_at = models.DateTimeField(_("access token expires"), null=True, blank=True)
    connected_at = models.DateTimeField(_("connected"), null=True, blank=True)
    status_detail = models.TextField(
        _("status detail"), blank=True, help_text=_("Why the connection needs attention.")
    )

    class Meta:
        verbose_name = _("eAccounting connection")
        verbose_name_plural = _("eAccounting connections")
        constraints = [
            models.UniqueConstraint(
                fields=["company_id"],
                condition=~Q(company_id=""),
                name="one_tenant_per_eaccounting_company",
                violation_error_message=_("This eAccounting company is already connected to another tenant."),
            )
        ]

    def __str__(self):
        return _("eAccounting of %(company)s") % {"company": self.tenant}


class WebshopConnection(models.Model):
    """How Silta reaches the tenant's webshop. Visma Verkkokauppa goes through eAccounting."""

    class Platform(models.TextChoices):
        WOOCOMMERCE = "woocommerce", _("WooCommerce")
        VISMA_WEBSHOP = "visma_webshop", _("Visma Verkkokauppa")
        SHOPIFY = "shopify", _("Shopify")

    tenant = models.OneToOneField(
        Tenant, on_delete=models.CASCADE, related_name="webshop_connection", verbose_name=_("company")
    )
    platform = models.CharField(
        _("platform"), max_length=20, choices=Platform.choices, default=Platform.WOOCOMMERCE
    )
    base_url = models.URLField(
        _("shop URL"),
        blank=True,
        help_text=_("The shop's address, e.g. https://shop.example.fi. Not used for Visma Verkkokauppa."),
    )
    # The shop's canonical identity (integration.webshops.identity): one company per shop.
    shop_identity = models.CharField(_("shop identity"), max_length=300, blank=True, editable=False)
    api_key = EncryptedTextField(_("API consumer key"))
    api_secret = EncryptedTextField(_("API consumer secret"))
    webhook_secret = EncryptedTextField(_("webhook secret"))
    status = models.CharField(
        _("status"), max_length=20, choices=ConnectionStatus.choices, default=ConnectionStatus.NOT_CONNECTED
    )
    status_detail = models.TextField(_("status detail"), blank=True)
    connected_at = models.DateTimeField(_("connected"), null=True, blank=True)

    class Meta:
        verbose_name = _("webshop connection")
        verbose_name_plural = _("webshop connections")
        constraints = [
            models.UniqueConstraint(
                fields=["base_url"],
                condition=~Q(base_url=""),
                name="one_tenant_per_shop_url",
                violation_error_message=_("This shop is already connected to another tenant."),
            ),
            models.UniqueConstraint(
                fields=["shop_identity"],
                condition=~Q(shop_identity=""),
                name="one_tenant_per_shop_identity",
                violation_error_message=_("This shop is already connected to another tenant."),
            ),
            models.CheckConstraint(
                condition=Q(platform="visma_webshop", base_url="") | ~Q(platform="visma_webshop"),
                name="visma_webshop_has_no_url",
                violation_error_message=_(
                    "Visma Verkkokauppa is reached through eAccounting: leave the shop URL empty."
                ),
            ),
        ]

    def __str__(self):
        return _("%(platform)s of %(company)s") % {
            "platform": self.get_platform_display(),
            "company": self.tenant,
        }

    def save(self, *args, **kwargs):
        # One shop is one URL: "https://Shop.fi/" and "https://shop.fi" must collide.
        self.base_url = normalize_shop_url(self.base_url)
        self.shop_identity = shop_identity(self.base_url)
        if self._forget_keys_of_another_address() and kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], *FIELDS_OF_AN_APPROVAL}
        super().save(*args, **kwargs)

    def _forget_keys_of_another_address(self) -> bool:
        """A new address must not receive the old shop's keys: they are dropped (unless new ones
        come with the address) and the webhook secret with them; a new approval is needed."""
        before = type(self).objects.filter(pk=self.pk).first() if self.pk else None
        if before is None or before.base_url == self.base_url:
            return False
        if (self.api_key, self.api_secret) == (before.api_key, before.api_secret):
            self.api_key = self.api_secret = ""
            self.status = ConnectionStatus.NOT_CONNECTED
            self.status_detail = ""
            self.connected_at = None
        self.webhook_secret = ""
        return True

    def clean(self):
        self.base_url = normalize_shop_url(self.base_url)
        self.shop_identity = shop_identity(self.base_url)
        others = type(self).objects.filter(shop_identity=self.shop_identity).exclude(pk=self.pk)
        if self.shop_identity and others.exists():  # the field is not on the form: checked here
            raise ValidationError(
                {"base_url": _("This shop is already connected to another company in Silta.")}
            )


FIELDS_OF_AN_APPROVAL = (
    "shop_identity",
    "api_key",
    "api_secret",
    "webhook_secret",
    "status",
    "status_detail",
    "connected_at",
)


def normalize_shop_url(url: str) -> str:
    url = (url or "").strip().rstrip("/")
    if "://" in url:
        scheme, rest = url.split("://", 1)
        host, _, path = rest.partition("/")
        url = f"{scheme.lower()}://{host.lower()}" + (f"/{path}" if path else "")
    return url


class ApiBudget(models.Model):
    """A shared request budget for one API endpoint (and scope), as a GCRA "theoretical arrival time".

    Every worker and machine of the installation reserves its next request slot here with one
    atomic UPDATE, so together they stay under the provider's rate limit.
    """

    key = models.CharField(_("key"), max_length=200, unique=True)
    tat = models.FloatField(
        _("next fully free"), default=0.0, help_text=_("Unix time at which the budget is next fully free.")
    )

    class Meta:
        verbose_name = _("API budget")
        verbose_name_plural = _("API budgets")

    def __str__(self):
        return self.key
