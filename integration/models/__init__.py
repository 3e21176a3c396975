"""The integration app's models, one module per concern."""

from .audit import AuditEntry, AuditEntryIsFinal
from .books import BooksCheck
from .catalog import (
    ArticleLink,
    ArticleTemplate,
    ReferenceData,
    ShopProductSnapshot,
    SyncCursor,
    TaxClassMapping,
)
from .connections import (
    ApiBudget,
    ConnectionStatus,
    EAccountingConnection,
    WebshopConnection,
    normalize_shop_url,
)
from .first_sync import FirstSync, ImportItem
from .invitations import Invitation
from .orders import (
    AccountingArticle,
    AccountingCustomer,
    MethodArticle,
    OrderSettings,
    OrderStep,
    OrderTransfer,
    ShopMethod,
    TransferStatus,
)
from .runs import JobLease, JobSchedule, SyncEvent, SyncRun
from .tenancy import Membership, Tenant, business_id_validator
from .visma_webshop import AvailabilityMark, VismaWebshopSettings, WebshopOrderConversion
from .webhooks import WebhookDelivery

__all__ = [
    "AuditEntry", "AuditEntryIsFinal", "BooksCheck",
    "ArticleLink", "ArticleTemplate", "JobLease", "JobSchedule", "ShopProductSnapshot", "SyncCursor", "SyncEvent", "SyncRun",
    "TaxClassMapping", "FirstSync", "ImportItem", "Invitation", "ReferenceData",
    "ApiBudget", "ConnectionStatus", "EAccountingConnection", "Membership", "Tenant", "WebhookDelivery",
    "WebshopConnection", "business_id_validator", "normalize_shop_url",
    "AccountingArticle", "AccountingCustomer", "MethodArticle", "OrderSettings", "OrderStep", "OrderTransfer", "ShopMethod",
    "TransferStatus", "AvailabilityMark", "VismaWebshopSettings", "WebshopOrderConversion",
]
