"""Web orders: per-tenant order settings, delivery/payment method templates, and one transfer per order."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models

from integration.work.models import ClaimedWork

from .tenancy import Tenant

DEFAULT_STATUSES = "processing,completed"


class AccountingArticle(models.Model):
    """A compact copy of an eAccounting article, kept by the article sync as it reads them.

    Pick lists (template articles) and order rows look articles up here instead of asking
    eAccounting once per order.
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="accounting_articles")
    article_id = models.CharField("eAccounting article ID", max_length=64)
    number = models.CharField(max_length=40)
    name = models.CharField(max_length=100)
    vat_rate = models.DecimalField("VAT rate %", max_digits=5, decimal_places=2, null=True, blank=True)
    is_active = models.BooleanField(default=True)
    is_stock = models.BooleanField(default=False)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["tenant", "article_id"], name="one_copy_per_article")]
        indexes = [models.Index(fields=["tenant", "number"])]

    def __str__(self):
        rate = f", {self.vat_rate.normalize():f} %" if self.vat_rate is not None else ""
        return f"{self.number} {self.name}{rate}"


class OrderSettings(models.Model):
    """How one tenant's web orders go into eAccounting."""

    class Document(models.TextChoices):
        ORDER = "order", "Sales order (reserves stock)"
        DRAFT = "draft", "Invoice draft"
        INVOICE = "invoice", "Invoice (not sent by Silta)"

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="order_settings")
    enabled = models.BooleanField("transfer web orders", default=True)
    statuses = models.CharField(
        max_length=200,
        default=DEFAULT_STATUSES,
        help_text="Shop order statuses to transfer, comma-separated (e.g. processing,completed).",
    )
    document = models.CharField(max_length=10, choices=Document.choices, default=Document.ORDER)
    transfer_from = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Orders created before this are left alone (set at activation); clear it to take older ones too.",
    )
    business_id_keys = models.CharField(
        "business ID meta keys",
        max_length=300,
        blank=True,
        help_text="Order meta keys that may hold the customer's business ID, comma-separated, in order.",
    )
    vat_number_keys = models.CharField(
        "VAT number meta keys",
        max_length=300,
        blank=True,
        help_text="Order meta keys that may hold the customer's VAT number, comma-separated, in order.",
    )
    terms_of_payment_id = models.CharField(
        "terms of payment for new customers",
        max_length=64,
        blank=True,
        help_text="eAccounting terms of payment ID (the first one is taken at activation).",
    )
    collective_customer = models.ForeignKey(
        "AccountingCustomer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Optional collective 'webshop customer' for orders without a usable address or e-mail.",
    )
    rounding_article = models.ForeignKey(
        AccountingArticle,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Books small differences between the shop's total and eAccounting's.",
    )
    rounding_limit = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        default=Decimal("0.05"),
        help_text="The largest difference between the shop's total and eAccounting's that the rounding article "
        "(0 % VAT) may correct; a larger one holds the order with both figures.",
    )
    vat_tolerance = models.DecimalField(
        "VAT tolerance per rate",
        max_digits=6,
        decimal_places=2,
        default=Decimal("0.00"),
        help_text="How far eAccounting's VAT at a rate may be from the customer's receipt and still be booked. "
        "0.00 (the default): any difference holds the order with both figures; a rounding row never "
        "corrects VAT.",
    )
    gift_card_article = models.ForeignKey(
        AccountingArticle,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Books gift cards and store credit used as payment (a negative row).",
    )
    invoice_statuses = models.CharField(
        max_length=200,
        default="completed",
        help_text="Shop statuses at which the sales order (or draft) is invoiced in eAccounting, comma-separated.",
    )
    refund_article = models.ForeignKey(
        AccountingArticle,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Books the part of a refund that is not a refunded line (a goodwill or amount-only refund) at "
        "this article's VAT rate.",
    )
    refund_articles = models.ManyToManyField(
        AccountingArticle,
        blank=True,
        related_name="+",
        verbose_name="refund articles for other VAT rates",
        help_text="A goodwill or amount-only refund is credited per VAT rate as the order was sold: one refund "
        "article for each other rate your shop sells at (e.g. 14 %, 10 %).",
    )

    class Meta:
        verbose_name = verbose_name_plural = "order settings"

    def __str__(self):
        return f"Order settings of {self.tenant}"

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
                raise ValidationError({field: "Choose one of this tenant's own records."})


class AccountingCustomer(models.Model):
    """A compact copy of an eAccounting customer, for matching orders without a lookup each."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="accounting_customers")
    customer_id = models.CharField("eAccounting customer ID", max_length=64)
    number = models.CharField(max_length=16, blank=True)
    name = models.CharField(max_length=100, blank=True)
    is_private = models.BooleanField(default=True)
    email = models.CharField(max_length=255, blank=True, help_text="Lower-cased, for matching.")
    # Matching survives the retention's blanking of `email` (personal_data.py); erasure blanks both.
    email_hash = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the lower-cased e-mail.")
    business_id = models.CharField(max_length=20, blank=True)
    vat_number = models.CharField(max_length=20, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
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
        SHIPPING = "shipping", "Delivery method"
        PAYMENT = "payment", "Payment method"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="shop_methods")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    key = models.CharField(
        max_length=100, help_text="Shipping: method_id:instance_id (or method_id); payment: the gateway id."
    )
    title = models.CharField(max_length=200)
    zone = models.CharField(max_length=200, blank=True)
    enabled = models.BooleanField("enabled in the shop", default=True)
    delivery_method_code = models.CharField(
        "eAccounting delivery method code",
        max_length=20,
        blank=True,
        help_text="Optional: put on the document as its delivery method.",
    )
    terms_of_payment_id = models.CharField(
        "eAccounting terms of payment ID",
        max_length=64,
        blank=True,
        help_text="Optional: terms of payment for documents paid this way.",
    )
    prepaid = models.BooleanField(
        default=False,
        help_text="Paid at checkout (card, bank payment …): the invoice gets its payment registered.",
    )
    bank_account_id = models.CharField(
        "eAccounting bank account ID",
        max_length=64,
        blank=True,
        help_text="The company bank account that receives this method's payments (for prepaid methods).",
    )
    seen_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "title"]
        constraints = [models.UniqueConstraint(fields=["tenant", "kind", "key"], name="one_method_per_key")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title} ({self.key})"


class MethodArticle(models.Model):
    """The eAccounting article whose coding books a method's rows at one VAT rate."""

    method = models.ForeignKey(ShopMethod, on_delete=models.CASCADE, related_name="articles")
    article = models.ForeignKey(AccountingArticle, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["method", "article"], name="one_row_per_method_article")
        ]

    def __str__(self):
        return f"{self.method.title}: {self.article}"

    def clean(self):
        if self.article_id and self.method_id and self.article.tenant_id != self.method.tenant_id:
            raise ValidationError({"article": "Choose one of this tenant's own eAccounting articles."})


class OrderTransfer(ClaimedWork):
    """One shop order's way into eAccounting. The row exists before any remote call (exactly once)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="order_transfers")
    shop_order_id = models.BigIntegerField()
    shop_order_number = models.CharField(max_length=40)
    shop_status = models.CharField(max_length=20, blank=True)
    shop_total = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    shop_vat = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    reason = models.TextField(blank=True, help_text="What a person can do, when the order waits.")
    reason_codes = models.JSONField(
        default=list,
        blank=True,
        help_text="The reasons as codes and parameters ([{code, params}], orders.outcomes), shown in the reader's "
        "language; empty on rows from before codes (their text is shown).",
    )
    plan = models.JSONField(
        default=dict,
        blank=True,
        help_text="What Silta planned last (document_plan.snapshot): rows, VAT per rate beside the receipt, totals.",
    )
    document_kind = models.CharField(max_length=10, blank=True)
    document_id = models.CharField("eAccounting document ID", max_length=64, blank=True)
    document_number = models.CharField(max_length=40, blank=True)
    document_total = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    document_vat = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    customer_id = models.CharField("eAccounting customer ID", max_length=64, blank=True)
    written_back = models.BooleanField("written back to the shop", default=False)
    write_back_tries = models.PositiveSmallIntegerField(default=0)
    invoice_id = models.CharField("eAccounting invoice ID", max_length=64, blank=True)
    invoice_number = models.CharField(max_length=40, blank=True)
    body_hash = models.CharField(
        max_length=64, blank=True, help_text="Of the document as sent: tells a changed order."
    )
    lines_as_one_unit = models.BooleanField(
        "book lines as one unit",
        default=False,
        help_text="A person chose it: a line whose total no two-decimal unit price can make (e.g. 3 for 1.00) is "
        "booked as 1 × its total.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    transferred_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-shop_order_id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "shop_order_id"], name="one_transfer_per_order"),
        ]
        indexes = [models.Index(fields=["tenant", "status"])]

    def __str__(self):
        return f"Order {self.shop_order_number} ({self.get_status_display()})"


class OrderStep(ClaimedWork):
    """One thing done to a transferred order in eAccounting after the transfer, exactly once.

    Claimed like the transfer itself (token, lease); `key` tells refunds apart."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", "Invoice"
        PAYMENT = "payment", "Payment registered"
        CANCEL = "cancel", "Cancellation"
        REFUND = "refund", "Refund (credit invoice)"
        UPDATE = "update", "Order changed"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="order_steps")
    transfer = models.ForeignKey(OrderTransfer, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    key = models.CharField(
        max_length=64, blank=True, help_text="The shop refund's id; the new document's hash."
    )
    reason = models.TextField(blank=True)
    reason_codes = models.JSONField(default=list, blank=True, help_text="As on the order transfer.")
    document_id = models.CharField("eAccounting document ID", max_length=64, blank=True)
    document_number = models.CharField(max_length=40, blank=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["transfer", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["transfer", "kind", "key"], name="one_step_per_kind_and_key")
        ]
        indexes = [models.Index(fields=["tenant", "status"])]

    def __str__(self):
        return f"{self.get_kind_display()} of order {self.transfer.shop_order_number} ({self.get_status_display()})"
