"""The integration app's models, one module per concern."""

from integration.work.models import ClaimStatus, JobLease

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
from .contract import ContractKey, ContractSetting, ContractSource, ProbeReport
from .first_sync import FirstSync, ImportItem
from .invitations import Invitation
from .key_approvals import KeyApproval
from .order_events import OrderEvent, OrderEventKind
from .orders import (
    AccountingArticle,
    AccountingCustomer,
    MethodArticle,
    OrderSettings,
    OrderStep,
    OrderTransfer,
    ShopMethod,
)
from .runs import JobSchedule, SyncEvent, SyncRun
from .tenancy import Membership, Tenant, business_id_validator
from .visma_webshop import AvailabilityMark, VismaWebshopSettings, WebshopOrderConversion
from .webhooks import WebhookDelivery

__all__ = [
    "ContractKey",
    "ContractSetting",
    "ContractSource",
    "ProbeReport",
    "AuditEntry",
    "AuditEntryIsFinal",
    "BooksCheck",
    "ArticleLink",
    "ArticleTemplate",
    "JobLease",
    "JobSchedule",
    "ShopProductSnapshot",
    "SyncCursor",
    "SyncEvent",
    "SyncRun",
    "TaxClassMapping",
    "FirstSync",
    "ImportItem",
    "Invitation",
    "KeyApproval",
    "ReferenceData",
    "ApiBudget",
    "ConnectionStatus",
    "EAccountingConnection",
    "Membership",
    "Tenant",
    "WebhookDelivery",
    "WebshopConnection",
    "business_id_validator",
    "normalize_shop_url",
    "AccountingArticle",
    "AccountingCustomer",
    "MethodArticle",
    "OrderEvent",
    "OrderEventKind",
    "OrderSettings",
    "OrderStep",
    "OrderTransfer",
    "ShopMethod",
    "ClaimStatus",
    "AvailabilityMark",
    "VismaWebshopSettings",
    "WebshopOrderConversion",
]
