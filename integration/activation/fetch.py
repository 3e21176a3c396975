"""Read what the pre-flight check needs from both systems."""

from .. import webshops
from ..eaccounting.client import EAccountingClient
from ..models import ContractKey, Tenant
from .preflight import PreflightInput


def gather(tenant: Tenant) -> PreflightInput:
    """About ten requests: company settings, units and codings; shop settings, rates, methods."""
    eaccounting = EAccountingClient(tenant.eaccounting_connection)
    shop = webshops.for_connection(tenant.webshop_connection)
    return PreflightInput(
        company=eaccounting.company_settings(),
        units=eaccounting.units(),
        codings=eaccounting.codings(),
        shop=shop.settings(),
        tax_rates=shop.tax_rates(),
        shipping_methods=shop.shipping_methods(),
        gateways=shop.payment_gateways(),
        stock_module_names=list(eaccounting.contract[ContractKey.STOCK_MODULE_NAMES] or ["Stock"]),
    )
