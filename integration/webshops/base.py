"""The webshop connector boundary: errors, data shapes and the ``Webshop`` interface.

Platform-neutral words only. A connector translates between one shop platform's API and
these shapes; it holds no business rules (what to write, when, and why is the sync's).

Money is ``Decimal`` everywhere; dates are aware UTC datetimes.

Product writes (``save_products``) carry only the fields the sync owns
(``OWNED_PRODUCT_FIELDS``); a shop owner's texts, images, categories and sale prices are
never part of a write. Every write also stores a hash of the owned values it wrote
(meta key ``SYNC_HASH_META_KEY``) so that the webhook the write causes can be recognised
as our own echo (``is_echo``).

Hiding and bringing back products is a ``save_products`` write with ``status`` set
(e.g. ``"draft"`` to hide, the previous status to bring back). Send the other owned fields
along with it: the echo hash covers exactly the fields of the last write.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

OWNED_PRODUCT_FIELDS = (
    "sku",
    "name",
    "regular_price",
    "tax_class",
    "tax_status",
    "manage_stock",
    "stock_quantity",
    "meta_data",
    "status",
)
SYNC_HASH_META_KEY = "_silta_sync_hash"


# ---------------------------------------------------------------------- errors
class WebshopError(Exception):
    """A problem talking to the shop. ``str(exc)`` is a message a shop owner can act on.

    ``status``: the HTTP status (None when there was no answer); ``code``: the shop's error code.
    """

    def __init__(self, message: str, *, status: int | None = None, code: str = ""):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code

    def __str__(self) -> str:
        return self.message


class AuthenticationFailed(WebshopError):
    """The shop does not accept the API key and secret."""


class ReadOnlyKey(WebshopError):
    """The API key may read but not write."""


class NotAShop(WebshopError):
    """The address answers, but not as the shop's REST API."""


class TLSFailure(WebshopError):
    """The HTTPS connection could not be established safely (certificate, protocol)."""


class InsecureURL(WebshopError):
    """Plain http:// to a host that is not allowed to be reached unencrypted."""


class AddressRefused(InsecureURL):
    """The outbound policy refuses the shop's address (not public, a redirect): nothing was sent."""


class ShopUnavailable(WebshopError):
    """No usable answer: server errors, rate limiting or network trouble, after retries.

    ``outcome_unknown`` is True when a create may or may not have happened (the answer was
    lost): look the items up (products by SKU) before trying again. ``partial`` holds the
    outcomes known before the failure (``save_products``), ``unknown_skus`` the SKUs whose
    creation is in doubt.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str = "",
        outcome_unknown: bool = False,
        partial: list[BatchOutcome] | None = None,
        unknown_skus: list[str] | None = None,
    ):
        super().__init__(message, status=status, code=code)
        self.outcome_unknown = outcome_unknown
        self.partial = partial or []
        self.unknown_skus = unknown_skus or []


class ItemRejected(WebshopError):
    """The shop refused one item (validation): the rest of a batch may well have been saved."""


class NotFound(WebshopError):
    """The resource does not exist (any more) in the shop."""


class NotSupported(WebshopError):
    """The platform cannot do this through its API."""


class SignatureInvalid(WebshopError):
    """A webhook delivery without a valid signature."""


class PayloadInvalid(WebshopError):
    """A correctly signed webhook delivery whose body is not the expected JSON."""


# ---------------------------------------------------------------------- data
@dataclass(frozen=True)
class ShopTaxSetup:
    """How a shop that lists no tax rates to apps (Shopify: tax by region, set in its admin) charges
    tax, as far as its API tells: what the pre-flight explains and checks instead of a rate list."""

    country: str  # the store address's ISO 3166-1 alpha-2 code ("" when the shop gives none)
    shipping_taxed: bool


@dataclass(frozen=True)
class ShopInfo:
    currency: str
    taxes_enabled: bool
    prices_include_tax: bool
    product_count: int
    # None: the shop lists its tax rates (WooCommerce), checked one by one against eAccounting's codings.
    tax_setup: ShopTaxSetup | None = None


@dataclass
class ShopProduct:
    id: int
    parent_id: int | None  # None for products, the parent product's id for variations
    sku: str
    name: str
    type: str  # simple, variable, grouped, external, variation
    status: str
    regular_price: Decimal | None  # None: no price set
    tax_class: str  # "" is the standard class
    tax_status: str
    manage_stock: bool
    stock_quantity: int | None
    date_modified_gmt: datetime | None
    meta: dict[str, Any] = field(default_factory=dict)
    raw: dict = field(default_factory=dict, repr=False)


@dataclass
class ProductWrite:
    """One product or variation write: create when ``id`` is None, update otherwise.

    Only the fields that are not None are written. ``parent_id`` set: a variation of that
    product (variations have no name of their own: ``name`` is not written for them).
    ``meta`` values are written as strings.
    """

    sku: str
    name: str | None = None
    regular_price: Decimal | None = None
    tax_class: str | None = None
    tax_status: str | None = None
    manage_stock: bool | None = None
    stock_quantity: int | None = None
    status: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    id: int | None = None
    parent_id: int | None = None


@dataclass
class BatchOutcome:
    sku: str
    id: int | None
    ok: bool
    error: WebshopError | None = None
    product: ShopProduct | None = None  # the shop's copy after the write, when ok


@dataclass(frozen=True)
class TaxRate:
    id: int
    rate: Decimal
    name: str
    tax_class: str  # "standard" or the class slug
    country: str


@dataclass(frozen=True)
class ShippingMethod:
    zone_id: int
    zone_name: str
    instance_id: int
    method_id: str
    title: str
    enabled: bool


@dataclass(frozen=True)
class PaymentGateway:
    id: str
    title: str
    enabled: bool


@dataclass
class Address:
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    address_1: str = ""
    address_2: str = ""
    city: str = ""
    state: str = ""
    postcode: str = ""
    country: str = ""
    email: str = ""
    phone: str = ""


@dataclass
class LineTax:
    rate_id: int
    total: Decimal
    subtotal: Decimal | None = None


@dataclass(frozen=True)
class TaxTotal:
    """One of the order's tax lines: what the customer's receipt says of one tax rate, goods and shipping."""

    rate_id: int
    tax_total: Decimal
    shipping_tax_total: Decimal


@dataclass
class OrderLine:
    id: int
    name: str
    product_id: int
    variation_id: int  # 0 when not a variation
    quantity: Decimal
    sku: str
    price: Decimal
    subtotal: Decimal
    subtotal_tax: Decimal
    total: Decimal
    total_tax: Decimal
    tax_class: str
    taxes: list[LineTax] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    refunded_item_id: int | None = None  # on a refund's line: the order line it pays back


@dataclass
class ShippingLine:
    id: int
    method_id: str
    method_title: str
    total: Decimal
    total_tax: Decimal
    taxes: list[LineTax] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class FeeLine:
    id: int
    name: str
    tax_class: str
    tax_status: str
    total: Decimal
    total_tax: Decimal
    taxes: list[LineTax] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class CouponLine:
    id: int
    code: str
    discount: Decimal
    discount_tax: Decimal


@dataclass(frozen=True)
class RefundRef:
    """One refund as its order lists it: enough to know it exists and what it paid back."""

    id: int
    amount: Decimal  # positive


@dataclass
class ShopOrder:
    id: int
    number: str
    status: str
    currency: str
    date_created_gmt: datetime | None
    date_modified_gmt: datetime | None
    date_paid_gmt: datetime | None
    prices_include_tax: bool
    total: Decimal
    total_tax: Decimal
    shipping_total: Decimal
    shipping_tax: Decimal
    discount_total: Decimal
    discount_tax: Decimal
    customer_id: int
    customer_note: str
    billing: Address
    shipping: Address
    payment_method: str
    payment_method_title: str
    transaction_id: str
    line_items: list[OrderLine] = field(default_factory=list)
    shipping_lines: list[ShippingLine] = field(default_factory=list)
    fee_lines: list[FeeLine] = field(default_factory=list)
    coupon_lines: list[CouponLine] = field(default_factory=list)
    refunded_total: Decimal = Decimal("0")  # sum of refunds, positive
    meta: dict[str, Any] = field(default_factory=dict)
    raw: dict = field(default_factory=dict, repr=False)
    refunds: list[RefundRef] = field(default_factory=list)  # oldest first
    tax_totals: list[TaxTotal] = field(
        default_factory=list
    )  # the receipt's VAT per rate, as the shop states it


class ChargeKind(StrEnum):
    """The order lines that are not goods: what a refund may pay back besides products."""

    SHIPPING = "shipping"
    FEE = "fee"


@dataclass(frozen=True)
class RefundedCharge:
    """What one refund paid back on one shipping or fee line of its order, as positive amounts.

    ``order_line_id``: the order's shipping or fee line it refunds (None when the shop does not say);
    ``taxes``: the refunded tax per rate, positive."""

    kind: ChargeKind
    order_line_id: int | None
    name: str
    net: Decimal
    tax: Decimal
    taxes: tuple[LineTax, ...] = ()

    @property
    def gross(self) -> Decimal:
        return self.net + self.tax


@dataclass
class ShopRefund:
    id: int
    order_id: int
    amount: Decimal
    reason: str
    date_created_gmt: datetime | None
    line_items: list[OrderLine] = field(default_factory=list)
    raw: dict = field(default_factory=dict, repr=False)
    charges: list[RefundedCharge] = field(default_factory=list)  # refunded shipping and fee lines


@dataclass(frozen=True)
class WebhookInfo:
    id: int
    topic: str
    delivery_url: str
    status: str  # active, paused, disabled


@dataclass
class WebhookDelivery:
    is_ping: bool
    webhook_id: int | None
    delivery_id: str | None
    topic: str  # "ping" for pings
    resource: str
    event: str
    payload: dict | None


# ---------------------------------------------------------------------- interface
class Webshop(ABC):
    """One tenant's shop. Methods raise ``WebshopError`` subclasses."""

    platform = ""
    # True when a delivery's id is the same on every retry of it (the intake then drops repeats by
    # it); WooCommerce gives each attempt a new id, so its repeats are known by their content only.
    delivery_ids_identify = False
    # True when the shop keeps the article's unit with the product (WooCommerce: in its meta data).
    # A shop that does not would show every unit Silta writes as changed in the shop on each read.
    keeps_unit = True

    @abstractmethod
    def test_connection(self) -> ShopInfo:
        """Read the shop's settings and prove the key may write, changing nothing."""

    @abstractmethod
    def settings(self) -> ShopInfo: ...

    @abstractmethod
    def products(self, modified_after: datetime | None = None) -> Iterator[ShopProduct]:
        """Every product, page by page, each variable product followed by its variations."""

    @abstractmethod
    def products_by_sku(self, skus: Iterable[str]) -> dict[str, ShopProduct]: ...

    @abstractmethod
    def save_products(self, writes: list[ProductWrite]) -> list[BatchOutcome]:
        """Create or update, in batches; one outcome per write, in the same order."""

    @abstractmethod
    def tax_rates(self) -> list[TaxRate]: ...

    @abstractmethod
    def tax_classes(self) -> list[str]: ...

    @abstractmethod
    def orders(
        self,
        statuses: Iterable[str] | None = None,
        modified_after: datetime | None = None,
        ids: Iterable[int] | None = None,
    ) -> Iterator[ShopOrder]:
        """Orders oldest first; ``ids``: only these (any status unless ``statuses`` is given)."""

    @abstractmethod
    def order(self, order_id: int) -> ShopOrder: ...

    @abstractmethod
    def refunds(self, order_id: int) -> list[ShopRefund]: ...

    @abstractmethod
    def write_back(self, order_id: int, meta: dict, note: str | None = None) -> None:
        """Store our reference on the order (meta) and optionally add a private order note."""

    @abstractmethod
    def write_back_many(
        self, items: list[tuple[int, dict, str | None]], recheck: Iterable[int] = ()
    ) -> list[int]:
        """``write_back`` for many orders: the meta in batches, then each note once (for orders in
        ``recheck``, tried before, the notes are read first). One order's failure does not stop the rest.

        Returns the ids of the orders not written back (the shop refused or did not answer)."""

    @abstractmethod
    def shipping_methods(self) -> list[ShippingMethod]: ...

    @abstractmethod
    def payment_gateways(self) -> list[PaymentGateway]: ...

    @abstractmethod
    def register_webhooks(
        self, delivery_url: str, secret: str, topics: Iterable[str]
    ) -> list[WebhookInfo]: ...

    @abstractmethod
    def check_webhooks(self, delivery_url: str, secret: str, topics: Iterable[str]) -> list[str]:
        """Repair our webhooks (re-enable, recreate); say in words what was done ([] = all fine)."""

    @abstractmethod
    def remove_webhooks(self, delivery_url: str) -> int: ...

    @abstractmethod
    def verify_delivery(self, headers: Mapping[str, str], body: bytes, secret: str) -> WebhookDelivery: ...

    @abstractmethod
    def is_echo(self, payload: dict) -> bool:
        """True when a product webhook payload shows exactly what Silta last wrote."""

    # True: a product webhook's payload carries no hash of Silta's, so echoes are told by the links'
    # last written values (``shown_values``, ``echo.is_echo``), and the sync says what it is about
    # to write (``echo.expect``).
    echo_by_link = False

    def shown_values(self, payload: dict) -> dict[int, dict[str, Any]]:
        """For a platform whose product payload does not carry Silta's hash: per shop product id
        (a link's ``shop_product_id``), the owned values the payload shows, in the interface's
        words; ``echo.is_echo`` compares them with the link's last written values. {} (the
        default): the payload itself says whether it is an echo (``is_echo``)."""
        return {}
