"""The pre-flight check of a Visma Verkkokauppa tenant: eAccounting's `VismaWebshopStatus` in words. Pure."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..activation.preflight import Preflight
from ..eaccounting.resources import CompanySettings

ENABLED = 1
# 0 None / 1 Enabled / 2 Disabled / 3 Requested (CompanySettingsApi)
BLOCKERS = {
    0: gettext_lazy(
        "%(company)s has no Visma Verkkokauppa link in eAccounting. Activate the webshop under Apps and "
        "extensions in eAccounting first, then come back."
    ),
    2: gettext_lazy(
        "The webshop link of %(company)s is turned off in eAccounting (Settings – Company settings – Basic "
        "settings). While it is off, orders made in the webshop are Locked and articles do not move. Turn it "
        "on first."
    ),
    3: gettext_lazy(
        "The Visma Verkkokauppa link of %(company)s has been requested but is not active yet. Activate here "
        "when eAccounting shows it enabled."
    ),
}
WHAT_SILTA_DOES = gettext_lazy(
    "Visma's own link moves articles, prices, stock and orders between eAccounting and Visma Verkkokauppa; "
    "Silta does not touch the webshop. Silta decides each article's “Available in Webshop” by your rules "
    "(you see a preview first) and, only if you switch it on, converts webshop orders into paid invoices."
)


def check(company: CompanySettings) -> Preflight:
    result = Preflight()
    status = company.visma_webshop_status
    if status == ENABLED:
        result.notes.append(
            _("Visma Verkkokauppa is linked to %(company)s and the link is on.") % {"company": company.name}
        )
    elif status in BLOCKERS:
        result.blockers.append(str(BLOCKERS[status]) % {"company": company.name})
    else:
        result.blockers.append(
            _(
                "eAccounting did not say whether %(company)s has a Visma Verkkokauppa link (VismaWebshopStatus "
                "%(status)s). Try again later; if it persists, ask Visma's support."
            )
            % {"company": company.name, "status": repr(status)}
        )
    result.notes.append(str(WHAT_SILTA_DOES))
    return result
