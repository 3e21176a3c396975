"""The owner's compact "All records" menu: the admin's models grouped by what a company does with them.

Owners and members see their tasks on the dashboard (set-up, orders that wait, Sync now, books check,
people); the records stay one click away in this menu instead of the admin's long list of model names.
Superusers keep Django's full index (they run the installation).
"""

from django.utils.translation import gettext_lazy as _

GROUPS = (
    ("orders", _("Orders"), ("ordertransfer", "shopmethod", "ordersettings", "accountingcustomer")),
    ("visma_webshop", _("Visma Verkkokauppa"), ("webshoporderconversion",)),
    (
        "catalogue",
        _("Products and articles"),
        ("articlelink", "accountingarticle", "articletemplate", "taxclassmapping"),
    ),
    ("runs", _("Syncs and schedules"), ("syncrun", "syncevent", "jobschedule", "webhookdelivery")),
    (
        "company",
        _("Company and connections"),
        ("tenant", "membership", "eaccountingconnection", "webshopconnection", "auditentry"),
    ),
)
OTHER = ("other", _("Other"))


def records_menu(app_list: list[dict]) -> list[dict]:
    """[{key, label, models: [{name, admin_url}]}] of the models the user may open, in GROUPS' order."""
    models = {m["object_name"].lower(): m for app in app_list for m in app["models"] if m.get("admin_url")}
    menu = []
    for key, label, names in GROUPS:
        shown = [models.pop(n) for n in names if n in models]
        if shown:
            menu.append({"key": key, "label": label, "models": shown})
    if models:
        menu.append(
            {
                "key": OTHER[0],
                "label": OTHER[1],
                "models": sorted(models.values(), key=lambda m: str(m["name"])),
            }
        )
    return menu
