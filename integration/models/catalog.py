"""What Silta knows about a tenant's catalogue: article templates, VAT ⇄ tax class, and article links."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .tenancy import Tenant


class ArticleTemplate(models.Model):
    """Defaults for an article Silta creates in eAccounting from a shop product, per VAT rate and kind."""

    class Kind(models.TextChoices):
        GOODS = "goods", _("Goods")
        SERVICE = "service", _("Service")

    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, related_name="article_templates", verbose_name=_("company")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.GOODS)
    vat_rate = models.DecimalField(_("VAT rate %"), max_digits=5, decimal_places=2)
    coding_id = models.CharField(_("eAccounting coding"), max_length=64)
    coding_name = models.CharField(_("coding"), max_length=200, blank=True)
    unit_id = models.CharField(_("eAccounting unit"), max_length=64)
    unit_name = models.CharField(_("unit"), max_length=100, blank=True)
    is_stock = models.BooleanField(_("stock item"), default=True)

    class Meta:
        ordering = ["tenant", "kind", "vat_rate"]
        verbose_name = _("article template")
        verbose_name_plural = _("article templates")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "kind", "vat_rate"], name="one_template_per_kind_and_rate"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.vat_rate} %: {self.coding_name or self.coding_id}"


class TaxClassMapping(models.Model):
    """Which shop tax class carries which VAT rate ("" is WooCommerce's standard class)."""

    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, related_name="tax_class_mappings", verbose_name=_("company")
    )
    vat_rate = models.DecimalField(_("VAT rate %"), max_digits=5, decimal_places=2)
    tax_class = models.CharField(
        _("tax class"), max_length=100, blank=True, help_text=_("Empty for the shop's standard rate.")
    )

    class Meta:
        ordering = ["tenant", "-vat_rate"]
        verbose_name = _("tax class mapping")
        verbose_name_plural = _("tax class mappings")
        constraints = [models.UniqueConstraint(fields=["tenant", "vat_rate"], name="one_tax_class_per_rate")]

    def __str__(self):
        return f"{self.vat_rate} % → {self.tax_class or _('standard')}"


class ArticleLink(models.Model):
    """An eAccounting article and the shop product (or variation) that shows it.

    Stored here, never inferred from data copied into the shop: a product duplicated in
    the shop must not inherit a link.
    """

    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, related_name="article_links", verbose_name=_("company")
    )
    article_id = models.CharField(_("eAccounting article ID"), max_length=64)
    article_number = models.CharField(_("article number"), max_length=40)
    shop_product_id = models.BigIntegerField(_("shop product ID"))
    shop_parent_id = models.BigIntegerField(
        _("shop parent product ID"),
        null=True,
        blank=True,
        help_text=_("Set when the link is to a variation."),
    )
    hidden = models.BooleanField(
        _("hidden"), default=False, help_text=_("Hidden by Silta: inactive or not available in webshop.")
    )
    status_before_hiding = models.CharField(_("shop status before hiding"), max_length=20, blank=True)
    # The owned values Silta last wrote, to tell drift (edited in the shop) from a change in eAccounting.
    last_written = models.JSONField(_("last written"), default=dict, blank=True)
    # A stock article the first sync created starts at 0 in eAccounting (its API cannot set a balance
    # while the stock module is on): until a person enters its stock there, the shop keeps its own.
    stock_led_by_shop = models.BooleanField(
        _("stock led by the shop"),
        default=False,
        help_text=_(
            "Created by the first sync: the shop keeps its own stock until stock is entered in eAccounting."
        ),
    )
    stock_to_enter = models.DecimalField(
        _("stock to enter"),
        max_digits=15,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "The shop's stock when the first sync created the article (empty: the shop did not count it)."
        ),
    )
    stock_hand_changed_at_import = models.DateTimeField(
        _("stock changed by hand (at import)"),
        null=True,
        blank=True,
        help_text=_(
            "eAccounting's StockBalanceManuallyChangedUtc as the create answered: a later one is stock entered."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["tenant", "article_number"]
        verbose_name = _("article link")
        verbose_name_plural = _("article links")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "article_id"], name="one_link_per_article"),
            models.UniqueConstraint(fields=["tenant", "shop_product_id"], name="one_link_per_shop_product"),
        ]
        indexes = [
            models.Index(fields=["tenant", "article_number"]),
            # the dashboard counts, and the list shows, the few links still waiting for their stock
            models.Index(
                fields=["tenant", "article_number"],
                condition=models.Q(stock_led_by_shop=True),
                name="article_link_stock_to_enter",
            ),
        ]

    def __str__(self):
        return f"{self.article_number} ⇄ #{self.shop_product_id}"


class ShopProductSnapshot(models.Model):
    """A compact copy of one shop product's owned values, so a sync plans page by page from the
    database instead of holding the shop's whole catalogue in memory."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="shop_snapshots")
    product_id = models.BigIntegerField()
    parent_id = models.BigIntegerField(null=True, blank=True)
    sku = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=20, blank=True)
    values = models.JSONField(default=dict, help_text="The owned fields as the shop last reported them.")
    modified_gmt = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "product_id"], name="one_snapshot_per_product")
        ]
        indexes = [models.Index(fields=["tenant", "sku"])]
        verbose_name = _("shop product snapshot")
        verbose_name_plural = _("shop product snapshots")

    def __str__(self):
        return f"#{self.product_id} {self.sku}"


class SyncCursor(models.Model):
    """Where the last incremental read of one source stopped (a watermark)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="sync_cursors")
    name = models.CharField(max_length=50, help_text="e.g. eaccounting.articles, shop.products")
    value = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="one_cursor_per_source")]
        verbose_name = _("sync cursor")
        verbose_name_plural = _("sync cursors")

    def __str__(self):
        return f"{self.name} @ {self.value:%Y-%m-%d %H:%M:%S}"


class ReferenceData(models.Model):
    """Small lists that rarely change (units, codings, the shop's tax setting), kept between runs so
    a sync with nothing to do costs almost no requests. Refreshed by the full reconcile."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="reference_data")
    name = models.CharField(max_length=50)
    data = models.JSONField(default=dict)
    fetched_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="one_reference_list_per_name")]
        verbose_name = _("eAccounting list")
        verbose_name_plural = _("eAccounting lists")

    def __str__(self):
        return f"{self.name} ({self.fetched_at:%Y-%m-%d %H:%M})"
