"""The order's customer in eAccounting: found in the local copy by its keys, or created once."""

from django.db.models import Q

from integration.privacy.personal_data import email_hash

from ..eaccounting import accounting_copy, documents
from ..eaccounting.errors import OutcomeUnknown
from ..eaccounting.resources import CompanySettings
from ..models import AccountingCustomer, OrderSettings
from . import reference
from .customer_plan import DEFAULT_BUSINESS_ID_KEYS, DEFAULT_VAT_NUMBER_KEYS, CustomerPlan, CustomerRules

# CustomerKey.kind is also the AccountingCustomer field it matches on.
API_FIELD = {"email": "EmailAddress", "business_id": "CorporateIdentityNumber", "vat_number": "VatNumber"}


def _keys(text: str, default) -> tuple[str, ...]:
    keys = tuple(k.strip() for k in text.split(",") if k.strip())
    return keys or tuple(default)


def rules(settings: OrderSettings, company: CompanySettings) -> CustomerRules:
    collective = settings.collective_customer
    return CustomerRules(
        company_country=company.country_code or "FI",
        company_currency=company.currency_code or "EUR",
        business_id_keys=_keys(settings.business_id_keys, DEFAULT_BUSINESS_ID_KEYS),
        vat_number_keys=_keys(settings.vat_number_keys, DEFAULT_VAT_NUMBER_KEYS),
        terms_of_payment_id=settings.terms_of_payment_id,
        collective_customer_id=collective.customer_id if collective else "",
    )


def existing(run, plan: CustomerPlan) -> AccountingCustomer | None:
    """The customer to use, if eAccounting has it already: private persons among private ones."""
    if plan.collective:
        return run.settings.collective_customer
    for key in plan.keys:
        # by e-mail also through its hash: the retention blanks the e-mail of customers who order seldom
        found = Q(**{key.kind: key.value})
        if key.kind == "email":
            found |= Q(email_hash=email_hash(key.value))
        match = (
            AccountingCustomer.objects.filter(
                found, tenant=run.tenant, is_active=True, is_private=plan.is_private
            )
            .order_by("number")
            .first()
        )
        if match is not None:
            return match
    return None


def create(run, plan: CustomerPlan) -> AccountingCustomer:
    """POST the customer; a lost answer is followed by a lookup by its key before trying again.

    First the local copy is brought up to date (when its last read is older than its freshness
    rule), and a customer a person added in eAccounting meanwhile is used rather than made twice."""
    if reference.refresh_customers(run.tenant, run.eaccounting):
        added = existing(run, plan)
        if added is not None:
            return added
    try:
        data = documents.create_customer(run.eaccounting, plan.body)
    except OutcomeUnknown:
        data = None
        for key in plan.keys:
            found = documents.find_customers(
                run.eaccounting, API_FIELD[key.kind], plan.body.get(API_FIELD[key.kind], "")
            )
            if found:
                data = found[0]
                break
        if data is None:
            raise
    assert data is not None  # created, or found after a lost answer (else raised above)
    accounting_copy.remember_customers(run.tenant, [data])
    return AccountingCustomer.objects.get(tenant=run.tenant, customer_id=data["Id"])
