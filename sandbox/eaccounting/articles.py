"""Articles: create, full-replace, derived fields and stock views."""

from . import schemas
from .amounts import D, gross_from_net, money, net_from_gross, vat_fraction
from .http import ApiError, not_found, validation_error
from .state import new_id

READ_ONLY_STOCK_MSG = "StockBalance is read only when the stock module is active."


def article_defaults():
    return {
        "IsActive": True,
        "NameEnglish": None,
        "NetPrice": 0.0,
        "NetPriceWithDiscount": 0.0,
        "GrossPrice": 0.0,
        "StockBalance": 0.0,
        "StockBalanceManuallyChangedUtc": None,
        "HouseWorkType": None,
        "PurchasePrice": 0.0,
        "PurchasePriceManuallyChangedUtc": None,
        "SendToWebshop": True,
        "UsesMoss": False,
        "ArticleLabels": [],
        "MessageThreads": [],
        "Notes": [],
        "Note": None,
        "IsStock": False,
        "StockLocationReference": None,
        "FreightCosts": 0.0,
        "FreightCostsManuallyChangedUtc": None,
        "UpdateStockPrices": False,
        "Barcodes": [],
        "GreenTechnologyType": None,
        "DiscountPercentage": 0.0,
        "CurrencyCode": None,
        "PurchasePriceWithCurrency": 0.0,
        "FreightCostWithCurrency": 0.0,
        "OrderingPoint": None,
        "SupplierId": None,
        "SupplierArticleNumber": None,
    }


def refresh_article(state, company, a, prices_from="net"):
    """Recompute the read-only fields derived from coding, unit and price."""
    coding = company.codings[a["CodingId"]]
    unit = company.units[a["UnitId"]]
    a["CodingName"], a["UnitName"], a["UnitAbbreviation"] = coding["Name"], unit["Name"], unit["Abbreviation"]
    a["IsServiceArticle"] = coding["Type"] == "Service"
    if a["IsServiceArticle"] or not state.setting("stock_module", company):
        a["IsStock"] = False
    a["ShowStockInformation"] = bool(a["IsStock"])
    f = vat_fraction(coding)
    if prices_from == "gross":
        a["NetPrice"] = float(net_from_gross(a["GrossPrice"], f))
    a["NetPrice"] = money(a["NetPrice"])
    a["GrossPrice"] = float(gross_from_net(a["NetPrice"], f))
    a["NetPriceWithDiscount"] = money(D(a["NetPrice"]) * (1 - D(a.get("DiscountPercentage") or 0)))


def article_view(state, company, a):
    out = dict(a)
    reserved = company.reserved.get(a["Id"], 0.0) if a["IsStock"] else 0.0
    out["StockBalanceReserved"] = float(D(reserved))
    out["StockBalanceAvailable"] = float(D(a["StockBalance"]) - D(reserved))
    out["StockValue"] = money(D(a["StockBalance"]) * D(a["PurchasePrice"])) if a["IsStock"] else 0.0
    # Labels are stored by id and shown as they are now (renamed: new name; deleted: gone).
    out["ArticleLabels"] = [
        company.articlelabels[x["Id"]] for x in a["ArticleLabels"] or [] if x["Id"] in company.articlelabels
    ]
    return schemas.emit("ArticleApi", out)


def get_article(company, article_id):
    a = company.articles.get(article_id)
    if a is None:
        raise not_found("Article")
    return a


def _check_refs(company, body):
    errors = []
    if body.get("CodingId") and body["CodingId"] not in company.codings:
        errors.append(
            {
                "Field": "CodingId",
                "ErrorCode": "InvalidValue",
                "Message": "The article account coding does not exist.",
            }
        )
    if body.get("UnitId") and body["UnitId"] not in company.units:
        errors.append({"Field": "UnitId", "ErrorCode": "InvalidValue", "Message": "The unit does not exist."})
    for i, label in enumerate(body.get("ArticleLabels") or []):
        if label.get("Id") not in company.articlelabels:
            errors.append(
                {
                    "Field": f"ArticleLabels[{i}].Id",
                    "ErrorCode": "InvalidValue",
                    "Message": "The article label does not exist (create it with POST /articlelabels).",
                }
            )
    if errors:
        raise validation_error(errors)


def save_article(state, company, body, existing=None):
    """POST (existing None) or PUT (full replace). Returns the stored article."""
    errors = schemas.validate("ArticleApi", body)
    if errors:
        raise validation_error(errors)
    _check_refs(company, body)
    dup = company.find_article_by_number(body["Number"])
    if dup is not None and (existing is None or dup["Id"] != existing["Id"]):
        raise ApiError(
            400,
            4000,
            f"An article with number '{body['Number']}' already exists.",
            [{"Field": "Number", "ErrorCode": "Conflict", "Message": "Article number must be unique."}],
        )
    data = schemas.writable("ArticleApi", body)
    now = state.now_str()
    stock_on = state.setting("stock_module", company)
    a = article_defaults()
    a.update(data)
    a["ArticleLabels"] = [{"Id": i} for i in dict.fromkeys(x["Id"] for x in data.get("ArticleLabels") or [])]
    prices_from = "net"
    if "NetPrice" not in data and "GrossPrice" in data:
        prices_from = "gross"
    elif (
        existing is not None
        and "GrossPrice" in data
        and D(data.get("NetPrice")) == D(existing["NetPrice"])
        and D(data["GrossPrice"]) != D(existing["GrossPrice"])
    ):
        prices_from = "gross"
    if existing is None:
        a["Id"], a["CreatedUtc"] = new_id(), now
        if stock_on:
            a["StockBalance"] = 0.0
        elif "StockBalance" in data:
            a["StockBalanceManuallyChangedUtc"] = now
    else:
        for k in (
            "Id",
            "CreatedUtc",
            "StockBalanceManuallyChangedUtc",
            "PurchasePriceManuallyChangedUtc",
            "FreightCostsManuallyChangedUtc",
            "MessageThreads",
            "Notes",
        ):
            a[k] = existing[k]
        if stock_on or "StockBalance" not in data:
            a["StockBalance"] = existing["StockBalance"]
        elif D(data["StockBalance"]) != D(existing["StockBalance"]):
            a["StockBalanceManuallyChangedUtc"] = now
        if D(a["PurchasePrice"]) != D(existing["PurchasePrice"]):
            a["PurchasePriceManuallyChangedUtc"] = now
        if existing["IsStock"] and D(existing["StockBalance"]) != 0:
            if company.codings[a["CodingId"]]["Type"] == "Service":
                raise ApiError(
                    400,
                    5004,
                    "A stock article with a non-zero stock balance can not become a service article.",
                )
            if not a["IsStock"]:
                raise ApiError(
                    400,
                    5003,
                    "A stock article with a non-zero stock balance can not become a non-stock article.",
                )
    a["StockBalance"] = float(D(a["StockBalance"]))
    a["ChangedUtc"] = now
    refresh_article(state, company, a, prices_from)
    if existing is not None:
        existing.clear()
        existing.update(a)
        return existing
    company.articles[a["Id"]] = a
    return a


def get_label(company, label_id):
    label = company.articlelabels.get(label_id)
    if label is None:
        raise not_found("Article label")
    return label


def save_label(company, body, existing=None):
    """POST (existing None) or PUT (full replace) of an article label."""
    errors = schemas.validate("ArticleLabelApi", body)
    if errors:
        raise validation_error(errors)
    label = {"Id": existing["Id"] if existing else new_id(), "Description": None}
    label.update(schemas.writable("ArticleLabelApi", body))
    company.articlelabels[label["Id"]] = label
    return label


def move_stock(state, company, article_id, delta):
    """A stock movement from a document (negative delta = out)."""
    a = company.articles.get(article_id)
    if a is None or not a["IsStock"] or not state.setting("stock_module", company):
        return
    a["StockBalance"] = float(D(a["StockBalance"]) + D(delta))
    if state.setting("stock_bumps_changed_utc", company):
        a["ChangedUtc"] = state.now_str()
