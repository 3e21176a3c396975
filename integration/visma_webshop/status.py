"""The pre-flight check of a Visma Verkkokauppa tenant: eAccounting's `VismaWebshopStatus` in words. Pure."""

from ..activation.preflight import Preflight
from ..eaccounting.resources import CompanySettings

ENABLED = 1
# 0 None / 1 Enabled / 2 Disabled / 3 Requested (CompanySettingsApi)
BLOCKERS = {
    0: "{company} has no Visma Verkkokauppa link in eAccounting. Activate the webshop under Apps and "
       "extensions in eAccounting first, then come back.",
    2: "The webshop link of {company} is turned off in eAccounting (Settings – Company settings – Basic settings). "
       "While it is off, orders made in the webshop are Locked and articles do not move. Turn it on first.",
    3: "The Visma Verkkokauppa link of {company} has been requested but is not active yet. Activate here when "
       "eAccounting shows it enabled.",
}
WHAT_SILTA_DOES = (
    "Visma's own link moves articles, prices, stock and orders between eAccounting and Visma Verkkokauppa; "
    "Silta does not touch the webshop. Silta decides each article's “Available in Webshop” by your rules "
    "(you see a preview first) and, only if you switch it on, converts webshop orders into paid invoices."
)


def check(company: CompanySettings) -> Preflight:
    result = Preflight()
    status = company.visma_webshop_status
    if status == ENABLED:
        result.notes.append(f"Visma Verkkokauppa is linked to {company.name} and the link is on.")
    elif status in BLOCKERS:
        result.blockers.append(BLOCKERS[status].format(company=company.name))
    else:
        result.blockers.append(
            f"eAccounting did not say whether {company.name} has a Visma Verkkokauppa link "
            f"(VismaWebshopStatus {status!r}). Try again later; if it persists, ask Visma's support."
        )
    result.notes.append(WHAT_SILTA_DOES)
    return result
