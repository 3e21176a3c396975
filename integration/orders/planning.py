"""One order's plans in one run, each made once and passed along: transfer → lifecycle.

`plan_document` is pure and cheap, but the context it reads costs queries and the transfer used to
plan the same order up to four times (and every poll of a transferred order once more, only for a
fingerprint). An `OrderPlan` makes the customer plan once, reads the planner's context once, and
keeps the document plan per VAT basis: a second document plan is made only when eAccounting's answer
changes the basis (prices gross or net), which is another document, not the same one again.
"""

from dataclasses import dataclass, field, replace
from functools import cached_property

from ..models import AccountingCustomer, Tenant
from ..webshops.base import ShopOrder
from . import document_body, fingerprints
from .context import PlanInputs
from .customer_plan import CustomerPlan, CustomerRules, plan_customer
from .document_plan import PLAN_VERSION, DocumentPlan, PlanContext, plan_document
from .outcomes import Waiting


@dataclass
class OrderPlan:
    order: ShopOrder
    tenant: Tenant
    rules: CustomerRules
    inputs: PlanInputs
    _documents: dict[bool, DocumentPlan | Waiting] = field(default_factory=dict, repr=False)
    _customers: dict[str, AccountingCustomer | None] = field(default_factory=dict, repr=False)

    version = PLAN_VERSION

    @classmethod
    def of(cls, run, order: ShopOrder) -> "OrderPlan":
        """`run`: the transfer's Run (tenant, rules, inputs)."""
        return cls(order, run.tenant, run.rules, run.inputs)

    @cached_property
    def customer(self) -> CustomerPlan | Waiting:
        return plan_customer(self.order, self.rules)

    @cached_property
    def input_fingerprint(self) -> str:
        keys = (*self.rules.business_id_keys, *self.rules.vat_number_keys)
        return fingerprints.order_input(self.order, keys)

    def accounting_customer(self, customer_id: str) -> AccountingCustomer | None:
        """The local copy of eAccounting's customer `customer_id` (read once)."""
        if customer_id not in self._customers:
            self._customers[customer_id] = AccountingCustomer.objects.filter(
                tenant=self.tenant, customer_id=customer_id
            ).first()
        return self._customers[customer_id]

    @cached_property
    def _context(self) -> PlanContext:
        customer_plan = self.customer
        assert not isinstance(customer_plan, Waiting), "a waiting customer plan has no document"
        return self.inputs.context(self.order, customer_plan, None)

    def document(self, customer: AccountingCustomer | None) -> DocumentPlan | Waiting:
        """The document plan for `customer` (None: not in eAccounting yet) on the VAT basis known now."""
        customer_plan = self.customer
        if isinstance(customer_plan, Waiting):
            return customer_plan
        includes_vat = self.inputs.includes_vat(customer.is_private if customer else customer_plan.is_private)
        if includes_vat not in self._documents:
            self._documents[includes_vat] = plan_document(
                self.order, replace(self._context, includes_vat=includes_vat)
            )
        return self._documents[includes_vat]

    def forget_documents(self) -> None:
        """Plan the document again: the reference copies it reads were refreshed (a person's Retry)."""
        self._documents.clear()
        self.__dict__.pop("_context", None)

    def document_fingerprint(self, plan: DocumentPlan) -> str:
        return document_body.fingerprint(self.order, plan)
