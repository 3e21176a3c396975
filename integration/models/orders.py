"""Web orders: per-tenant order settings, delivery/payment method templates, and one transfer per order."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from integration.work.models import ClaimedWork

from .tenancy import Tenant

DEFAULT_STATUSES = "processing,completed"
# eaccounting.documents.DocumentKind's values, in words a person reads (tests/test_admin_languages.py)
DOCUMENT_KINDS = [("order", _("sales order")), ("draft", _("invoice draft")), ("invoice", _("invoice"))]


class AccountingArticle(models.Model):
    """A compact copy of an eAccounting article, kept by the article sync as it reads them.

    Pick lists (template articles) and order rows look articles up here instead of asking
    eAccounting once per order.
    """

    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, related_name="accounting_articles", verbose_name=_("company")
    )
    article_id = models.CharField(_("eAccounting article ID"), max_length=64)
    number = models.CharField(_("number"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    vat_rate = models.DecimalField(_("VAT rate %"), max_digits=5, decimal_places=2, null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_stock = models.BooleanField(_("stock item"), default=False)

    class Meta:
        ordering = ["number"]
        verbose_name = _("eAccounting article")
        verbose_name_plural = _("eAccounting articles")
        constraints = [models.UniqueConstraint(fields=["tenant", "article_id"], name="one_copy_per_article")]
        indexes = [models.Index(fields=["tenant", "number"])]

    def __str__(self):
        rate = f", {self.vat_rate.normalize():f} %" if self.vat_rate is not None else ""
        return f"{self.number} {self.name}{rate}"


class OrderSettings(models.Model):
    """How one tenant's web orders go into eAccounting."""

    class Document(models.TextChoices):
        ORDER = "order", _("Sales order (reserves stock)")
        DRAFT = "draft", _("Invoice draft")
        INVOICE = "invoice", _("Invoice (not sent by Silta)")

    tenant = models.OneToOneField(
        Tenant, on_delete=models.CASCADE, related_name="order_settings", verbose_name=_("company")
    )
    enabled = models.BooleanField(_("transfer web orders"), default=True)
    statuses = models.CharField(
        _("order statuses to transfer"),
        max_length=200,
        default=DEFAULT_STATUSES,
        help_text=_("Shop order statuses to transfer, comma-separated (e.g. processing,completed)."),
    )
    document = models.CharField(
        _("document in eAccounting"), max_length=10, choices=Document.choices, default=Document.ORDER
    )
    transfer_from = models.DateTimeField(
        _("transfer orders from"),
        null=True,
        blank=True,
        help_text=_(
            "Orders created before this are left alone (set at activation); clear it to take older ones too."
        ),
    )
    business_id_keys = models.CharField(
        _("business ID meta keys"),
        max_length=300,
        blank=True,
        help_text=_("Order meta keys that may hold the customer's business ID, comma-separated, in order."),
    )
    vat_number_keys = models.CharField(
        _("VAT number meta keys"),
        max_length=300,
        blank=True,
        help_text=_("Order meta keys that may hold the customer's VAT number, comma-separated, in order."),
    )
    terms_of_payment_id = models.CharField(
        _("terms of payment for new customers"),
        max_length=64,
        blank=True,
        help_text=_("eAccounting's terms of payment (the first one is taken at activation)."),
    )
    collective_customer = models.ForeignKey(
        "AccountingCustomer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("collective customer"),
        help_text=_("Optional collective 'webshop customer' for orders without a usable address or e-mail."),
    )
    rounding_article = models.ForeignKey(
        AccountingArticle,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rounding article"),
        help_text=_("Books small differences between the shop's total and eAccounting's."),
    )
    rounding_limit = models.DecimalField(
        _("rounding limit"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("0.05"),
        help_text=_(
            "The largest difference between the shop's total and eAccounting's that the rounding article "
            "(0 % VAT) may correct; a larger one holds the order with both figures."
        ),
    )
    vat_tolerance = models.DecimalField(
        _("VAT tolerance per rate"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("0.00"),
        help_text=_(
            "How far eAccounting's VAT at a rate may be from the customer's receipt and still be booked. "
            "0.00 (the default): any difference holds the order with both figures; a rounding row never "
            "corrects VAT."
        ),
    )
    gift_card_article = models.ForeignKey(
        AccountingArticle,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("gift card article"),
        help_text=_("Books gift cards and store credit used as payment (a negative row)."),
    )
    invoice_statuses = models.CharField(
        _("order statuses to invoice"),
        max_length=200,
        default="completed",
        help_text=_(
            "Shop statuses at which the sales order (or draft) is invoiced in eAccounting, comma-separated."
        ),
    )
    refund_article = models.ForeignKey(
        AccountingArticle,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("refund article"),
        help_text=_(
            "Books the part of a refund that is not a refunded line (a goodwill or amount-only refund) at "
            "this article's VAT rate."
        ),
    )
    refund_articles = models.ManyToManyField(
        AccountingArticle,
        blank=True,
        related_name="+",
        verbose_name=_("refund articles for other VAT rates"),
        help_text=_(
            "A goodwill or amount-only refund is credited per VAT rate as the order was sold: one refund "
            "article for each other rate your shop sells at (e.g. 14 %, 10 %)."
        ),
    )

    class Meta:
        verbose_name = verbose_name_plural = _("order settings")

    def __str__(self):
        return _("Order settings of %(company)s") % {"company": self.tenant}

    @property
    def status_list(self) -> list[str]:
        return [s.strip() for s in self.statuses.split(",") if s.strip()]

    @property
    def invoice_status_list(self) -> list[str]:
        return [s.strip() for s in self.invoice_statuses.split(",") if s.strip()]

    def clean(self):
        for field in ("collective_customer", "rounding_article", "gift_card_article", "refund_article"):
            related = getattr(self, field)
            if related is not None and related.tenant_id != self.tenant_id:
                raise ValidationError({field: _("Choose one of this company's own records.")})


class AccountingCustomer(models.Model):
    """A compact copy of an eAccounting customer, for matching orders without a lookup each."""

    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, related_name="accounting_customers", verbose_name=_("company")
    )
    customer_id = models.CharField(_("eAccounting customer ID"), max_length=64)
    number = models.CharField(_("number"), max_length=16, blank=True)
    name = models.CharField(_("name"), max_length=100, blank=True)
    is_private = models.BooleanField(_("private person"), default=True)
    email = models.CharField(
        _("e-mail"), max_length=255, blank=True, help_text=_("Lower-cased, for matching.")
    )
    # Matching survives the retention's blanking of `email` (personal_data.py); erasure blanks both.
    email_hash = models.CharField(
        _("e-mail hash"), max_length=64, blank=True, help_text=_("SHA-256 of the lower-cased e-mail.")
    )
    business_id = models.CharField(_("business ID"), max_length=20, blank=True)
    vat_number = models.CharField(_("VAT number"), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("eAccounting customer")
        verbose_name_plural = _("eAccounting customers")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "customer_id"], name="one_copy_per_customer")
        ]
        indexes = [
            models.Index(fields=["tenant", "email"]),
            models.Index(fields=["tenant", "email_hash"]),
            models.Index(fields=["tenant", "business_id"]),
            models.Index(fields=["tenant", "vat_number"]),
        ]

    def __str__(self):
        return f"{self.number} {self.name}".strip()


class ShopMethod(models.Model):
    """A delivery method or payment gateway as read from the shop, with its article templates."""

    class Kind(models.TextChoices):
        SHIPPING = "shipping", _("Delivery method")
        PAYMENT = "payment", _("Payment method")

    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, related_name="shop_methods", verbose_name=_("company")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    key = models.CharField(
        _("key in the shop"),
        max_length=100,
        help_text=_("Shipping: method_id:instance_id (or method_id); payment: the gateway id."),
    )
    title = models.CharField(_("name in the shop"), max_length=200)
    zone = models.CharField(_("shipping zone"), max_length=200, blank=True)
    enabled = models.BooleanField(_("enabled in the shop"), default=True)
    delivery_method_code = models.CharField(
        _("eAccounting delivery method"),
        max_length=20,
        blank=True,
        help_text=_("Optional: put on the document as its delivery method."),
    )
    terms_of_payment_id = models.CharField(
        _("eAccounting terms of payment"),
        max_length=64,
        blank=True,
        help_text=_("Optional: terms of payment for documents paid this way."),
    )
    prepaid = models.BooleanField(
        _("prepaid"),
        default=False,
        help_text=_("Paid at checkout (card, bank payment …): the invoice gets its payment registered."),
    )
    bank_account_id = models.CharField(
        _("eAccounting bank account"),
        max_length=64,
        blank=True,
        help_text=_("The company bank account that receives this method's payments (for prepaid methods)."),
    )
    seen_at = models.DateTimeField(_("last seen in the shop"), auto_now=True)

    class Meta:
        ordering = ["kind", "title"]
        verbose_name = _("delivery or payment method")
        verbose_name_plural = _("delivery and payment methods")
        constraints = [models.UniqueConstraint(fields=["tenant", "kind", "key"], name="one_method_per_key")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title} ({self.key})"


class MethodArticle(models.Model):
    """The eAccounting article whose coding books a method's rows at one VAT rate."""

    method = models.ForeignKey(
        ShopMethod, on_delete=models.CASCADE, related_name="articles", verbose_name=_("method")
    )
    article = models.ForeignKey(
        AccountingArticle, on_delete=models.CASCADE, related_name="+", verbose_name=_("eAccounting article")
    )

    class Meta:
        verbose_name = _("template article")
        verbose_name_plural = _("template articles")
        constraints = [
            models.UniqueConstraint(fields=["method", "article"], name="one_row_per_method_article")
        ]

    def __str__(self):
        return f"{self.method.title}: {self.article}"

    def clean(self):
        if self.article_id and self.method_id and self.article.tenant_id != self.method.tenant_id:
            raise ValidationError({"article": _("Choose one of this company's own eAccounting articles.")})


class OrderTransfer(ClaimedWork):
    """One shop order's way into eAccounting. The row exists before any remote call (exactly once)."""

    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, related_name="order_transfers", verbose_name=_("company")
    )
    shop_order_id = models.BigIntegerField(_("shop order ID"))
    shop_order_number = models.CharField(_("web order"), max_length=40)
    shop_status = models.CharField(_("status in the shop"), max_length=20, blank=True)
    shop_total = models.DecimalField(_("shop total"), max_digits=14, decimal_places=2, null=True, blank=True)
    shop_vat = models.DecimalField(_("shop VAT"), max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    reason = models.TextField(
        _("reason"), blank=True, help_text=_("What a person can do, when the order waits.")
    )
    reason_codes = models.JSONField(
        _("reason codes"),
        default=list,
        blank=True,
        help_text=_(
            "The reasons as codes and parameters ([{code, params}], orders.outcomes), shown in the reader's "
            "language; empty on rows from before codes (their text is shown)."
        ),
    )
    plan = models.JSONField(
        _("plan"),
        default=dict,
        blank=True,
        help_text=_(
            "What Silta planned last (document_plan.snapshot): rows, VAT per rate beside the receipt, totals."
        ),
    )
    document_kind = models.CharField(_("document"), max_length=10, blank=True, choices=DOCUMENT_KINDS)
    document_id = models.CharField(_("eAccounting document ID"), max_length=64, blank=True)
    document_number = models.CharField(_("document number"), max_length=40, blank=True)
    document_total = models.DecimalField(
        _("eAccounting total"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    document_vat = models.DecimalField(
        _("eAccounting VAT"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    customer_id = models.CharField(_("eAccounting customer ID"), max_length=64, blank=True)
    written_back = models.BooleanField(_("written back to the shop"), default=False)
    write_back_tries = models.PositiveSmallIntegerField(_("write-back tries"), default=0)
    invoice_id = models.CharField(_("eAccounting invoice ID"), max_length=64, blank=True)
    invoice_number = models.CharField(_("invoice number"), max_length=40, blank=True)
    body_hash = models.CharField(
        _("document fingerprint"),
        max_length=64,
        blank=True,
        help_text=_("Of the document as sent (planned by the rules of its plan version)."),
    )
    # What tells a changed shop order: the shop's own bookable input, not the planned document, so that a
    # change of Silta's planning rules alone never looks like a changed order (orders/fingerprints.py).
    input_hash = models.CharField(
        _("shop order fingerprint"),
        max_length=64,
        blank=True,
        help_text=_("Of the shop order's bookable input: tells a changed order."),
    )
    plan_version = models.PositiveSmallIntegerField(
        _("plan version"),
        default=0,
        help_text=_("The planning rules' version the document was planned by (0: before versions)."),
    )
    lines_as_one_unit = models.BooleanField(
        _("book lines as one unit"),
        default=False,
        help_text=_(
            "A person chose it: a line whose total no two-decimal unit price can make (e.g. 3 for 1.00) is "
            "booked as 1 × its total."
        ),
    )
    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    transferred_at = models.DateTimeField(_("transferred"), null=True, blank=True)

    class Meta:
        ordering = ["-shop_order_id"]
        verbose_name = _("web order")
        verbose_name_plural = _("web orders")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "shop_order_id"], name="one_transfer_per_order"),
        ]
        indexes = [models.Index(fields=["tenant", "status"])]

    def __str__(self):
        return _("Order %(number)s (%(status)s)") % {
            "number": self.shop_order_number,
            "status": self.get_status_display(),
        }


class OrderStep(ClaimedWork):
    """One thing done to a transferred order in eAccounting after the transfer, exactly once.

    Claimed like the transfer itself (token, lease); `key` tells refunds apart."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        PAYMENT = "payment", _("Payment registered")
        CANCEL = "cancel", _("Cancellation")
        REFUND = "refund", _("Refund (credit invoice)")
        UPDATE = "update", _("Order changed")

    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, related_name="order_steps", verbose_name=_("company")
    )
    transfer = models.ForeignKey(
        OrderTransfer, on_delete=models.CASCADE, related_name="steps", verbose_name=_("web order")
    )
    kind = models.CharField(_("step"), max_length=10, choices=Kind.choices)
    key = models.CharField(
        _("key"), max_length=64, blank=True, help_text=_("The shop refund's id; the new document's hash.")
    )
    reason = models.TextField(_("reason"), blank=True)
    reason_codes = models.JSONField(
        _("reason codes"), default=list, blank=True, help_text=_("As on the order transfer.")
    )
    document_id = models.CharField(_("eAccounting document ID"), max_length=64, blank=True)
    document_number = models.CharField(_("document number"), max_length=40, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["transfer", "created_at"]
        verbose_name = _("step after the transfer")
        verbose_name_plural = _("steps after the transfer")
        constraints = [
            models.UniqueConstraint(fields=["transfer", "kind", "key"], name="one_step_per_kind_and_key")
        ]
        indexes = [models.Index(fields=["tenant", "status"])]

    def __str__(self):
        return _("%(step)s of order %(number)s (%(status)s)") % {
            "step": self.get_kind_display(),
            "number": self.transfer.shop_order_number,
            "status": self.get_status_display(),
        }
