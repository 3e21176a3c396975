"""Deterministic Finnish seed data: reference lists, articles, customers, webshop orders, demo state."""

import random
from datetime import datetime, timedelta
from decimal import Decimal

from .amounts import money
from .state import fmt_dt, new_id

EPOCH = datetime(2025, 1, 6, 8, 0, 0)

UNITS = [  # Name, Code, Abbreviation, AbbreviationEnglish
    ("Kappale", "KPL", "kpl", "pcs"),
    ("Kilogramma", "KG", "kg", "kg"),
    ("Tunti", "H", "h", "h"),
    ("Metri", "M", "m", "m"),
    ("Litra", "L", "l", "l"),
    ("Paketti", "PKT", "pkt", "pkg"),
    ("Pari", "PR", "pr", "pr"),
    ("Rasia", "RS", "rs", "box"),
]
CODINGS = [  # Name, NameEnglish, Type, VAT %, account
    ("Tavaramyynti 25,5 %", "Sales of goods 25.5 %", "Goods", "25.5", 3000),
    ("Tavaramyynti 14 %", "Sales of goods 14 %", "Goods", "14", 3010),
    ("Tavaramyynti 10 %", "Sales of goods 10 %", "Goods", "10", 3020),
    ("Tavaramyynti 0 %", "Sales of goods 0 %", "Goods", "0", 3030),
    ("Palvelumyynti 25,5 %", "Sales of services 25.5 %", "Service", "25.5", 3050),
    ("Palvelumyynti 14 %", "Sales of services 14 %", "Service", "14", 3060),
    ("Palvelumyynti 10 %", "Sales of services 10 %", "Service", "10", 3070),
    ("Palvelumyynti 0 %", "Sales of services 0 %", "Service", "0", 3080),
]
TERMS = [
    ("14 päivää netto", "14 days net", 14, 0, "Normal"),
    ("30 päivää netto", "30 days net", 30, 0, "Normal"),
    ("7 päivää netto", "7 days net", 7, 0, "Normal"),
    ("Käteinen", "Cash", 0, 2, "Cash"),
]
DELIVERY = [("Posti", "Posti", "POSTI"), ("Matkahuolto", "Matkahuolto", "MH"), ("Nouto", "Pick-up", "NOUTO")]
# Bank accounts (BankAccountApi): name, English name, BankAccountType (1 = ChequeAccount,
# 3 = SavingsAccount), ledger account, default cheque account
BANK_ACCOUNTS = [
    ("Yritystili", "Business account", 1, 1910, True),
    ("Säästötili", "Savings account", 3, 1920, False),
]

ADJ = [
    "Luomu",
    "Suomalainen",
    "Klassinen",
    "Pehmeä",
    "Kestävä",
    "Kevyt",
    "Iso",
    "Pieni",
    "Tumma",
    "Vaalea",
    "Lämmin",
    "Retro",
    "Pohjoinen",
    "Käsintehty",
    "Ekologinen",
    "Premium",
]
GOODS = [
    ("Kahvi 500 g", "pkt", 1),
    ("Tee 100 g", "pkt", 1),
    ("Ruisleipä", "kpl", 1),
    ("Hunaja 350 g", "kpl", 1),
    ("Marjamehu 1 l", "l", 1),
    ("Villasukat", "pr", 0),
    ("Pipo", "kpl", 0),
    ("Lapaset", "pr", 0),
    ("Kynttilä", "kpl", 0),
    ("Puukko", "kpl", 0),
    ("Kuksa", "kpl", 0),
    ("Pyyhe", "kpl", 0),
    ("Reppu", "kpl", 0),
    ("Saunatyyny", "kpl", 0),
    ("Vesikannu", "kpl", 0),
    ("Keittokirja", "kpl", 2),
    ("Romaani", "kpl", 2),
    ("Kalenteri", "kpl", 0),
    ("Köysi", "m", 0),
    ("Kangas", "m", 0),
    ("Kahvipavut", "kg", 1),
    ("Pähkinäsekoitus", "kg", 1),
    ("Lahjarasia", "rs", 0),
    ("Juustohöylä", "kpl", 0),
]
SERVICES = [
    ("Asennustyö", "h"),
    ("Huoltotyö", "h"),
    ("Konsultointi", "h"),
    ("Suunnittelu", "h"),
    ("Toimitusmaksu", "kpl"),
    ("Koulutus", "h"),
]
VAT_BY_KIND = {0: "25.5", 1: "14", 2: "10"}
FIRST = [
    "Matti",
    "Liisa",
    "Juha",
    "Anna",
    "Mikko",
    "Sanna",
    "Jari",
    "Tiina",
    "Antti",
    "Laura",
    "Pekka",
    "Aino",
]
LAST = [
    "Virtanen",
    "Korhonen",
    "Mäkinen",
    "Nieminen",
    "Mäkelä",
    "Hämäläinen",
    "Laine",
    "Heikkinen",
    "Koskinen",
]
FIRMS = ["Rakennus", "Puutarha", "Kahvila", "Konepaja", "Kauppa", "Sähkö", "Metalli", "Kuljetus", "Leipomo"]
CITIES = [
    ("Helsinki", "00100"),
    ("Tampere", "33100"),
    ("Turku", "20100"),
    ("Oulu", "90100"),
    ("Jyväskylä", "40100"),
    ("Kuopio", "70100"),
    ("Lahti", "15110"),
    ("Vaasa", "65100"),
]
STREETS = ["Mannerheimintie", "Hämeenkatu", "Aleksanterinkatu", "Kauppakatu", "Koulukatu", "Rantatie"]


def ytunnus(n):
    """A valid Finnish business ID (Y-tunnus) from a 7-digit number, e.g. 1234567-1."""
    digits = f"{n % 10_000_000:07d}"
    r = sum(int(d) * w for d, w in zip(digits, (7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    if r == 1:
        return ytunnus(n + 1)
    return f"{digits}-{0 if r == 0 else 11 - r}"


def _ts(rng, days=300):
    return fmt_dt(EPOCH + timedelta(minutes=rng.randrange(days * 24 * 60), milliseconds=rng.randrange(1000)))


def company_settings(company, cin, rng, terms_id):
    city, postal = rng.choice(CITIES)
    return {
        "Name": company.name,
        "Email": "info@" + company.name.lower().split()[0].replace("ä", "a").replace("ö", "o") + ".fi",
        "Phone": "09 " + str(rng.randrange(1000000, 9999999)),
        "MobilePhone": None,
        "Address1": f"{rng.choice(STREETS)} {rng.randrange(1, 60)}",
        "Address2": None,
        "CountryCode": "FI",
        "PostalCode": postal,
        "City": city,
        "Website": None,
        "OurReference": None,
        "CurrencyCode": "EUR",
        "TermsOfPaymentId": terms_id,
        "CorporateIdentityNumber": cin,
        "PeppolId": None,
        "VatCode": "FI" + cin.replace("-", ""),
        "BankGiro": None,
        "PlusGiro": None,
        "BankAccount": None,
        "Iban": "FI21 1234 5600 0007 85",
        "AccountNumberDigits": 4,
        "AccountingLockInterval": 0,
        "Gln": None,
        "ProductVariant": 5,
        "TypeOfBusiness": 1,
        "VatPeriod": 1,
        "NextCustomerNumber": 0,
        "NextSupplierNumber": 1,
        "NextCustomerInvoiceNumber": 0,
        "NextQuoteNumber": 1,
        "NextOrderNumber": 0,
        "NextArticleNumber": None,
        "ShowPricesExclVatPC": False,
        "ShowContributionMargin": False,
        "HasProportionalVatEnabled": False,
        "ProportionalVatValue": None,
        "IsPayslipActivated": False,
        "UsesCostCenter": False,
        "UsesProject": False,
        "UsesMoss": False,
        "UsesPaymentReferenceNumber": True,
        "UsesSupplierInvoiceEdit": None,
        "UseAdvancedMode": None,
        "DomesticCurrencyRounding": 0,
        "UsesReverseConstructionVat": False,
        "UsesRotReducedInvoicing": False,
        "CompanyStatus": 1,
        "CompanyIdentifier": None,
        "BankgiroNumberPrint": None,
        "KeepOriginalDraftDate": None,
        "UsePaymentFilesForOutgoingPayments": False,
        "UseAutomaticVatCalculation": None,
        "ShowCostCenterReminder": False,
        "ShowProjectReminder": False,
        "UsesGreenTechnology": False,
        "UsesVatTriangulationRules": False,
        "Swish": None,
        "CompanyEmailForUpload": None,
        "VismaWebshopStatus": 0,
        "UsesTransactionText": False,
        "FirstPaymentReminderWithoutFee": None,
        "LatePaymentFee": None,
        "DefaultBackgroundId": None,
        "InvoicePrintSettingsType": 0,
    }


def reference_data(company, rng):
    for name, code, abbr, abbr_en in UNITS:
        uid = new_id(rng)
        company.units[uid] = {
            "Id": uid,
            "Name": name,
            "Code": code,
            "Abbreviation": abbr,
            "AbbreviationEnglish": abbr_en,
        }
    for name, name_en, typ, vat, acct in CODINGS:
        cid = new_id(rng)
        company.codings[cid] = {
            "Id": cid,
            "Name": name,
            "NameEnglish": name_en,
            "Type": typ,
            "VatRate": vat,
            "IsActive": True,
            "_vat": vat,
            "DomesticSalesSubjectToReversedConstructionVatAccountNumber": None,
            "DomesticSalesSubjectToVatAccountNumber": acct,
            "DomesticSalesVatExemptAccountNumber": acct + 5,
            "ForeignSalesSubjectToMossAccountNumber": None,
            "ForeignSalesSubjectToThirdPartySalesAccountNumber": 3380,
            "ForeignSalesSubjectToVatWithinEuAccountNumber": 3360,
            "ForeignSalesVatExemptOutsideEuAccountNumber": 3370,
            "ForeignSalesVatExemptWithinEuAccountNumber": 3360,
            "DomesticSalesVatCodeExemptAccountNumber": None,
            "ChangedUtc": _ts(rng, 10),
        }
    for vat, acct in (("25.5", 2939), ("14", 2938), ("10", 2937), ("0", None)):
        vid = new_id(rng)
        company.vatcodes[vid] = {
            "Id": vid,
            "Code": f"MY{vat.replace('.', '')}",
            "OssCodeType": 0,
            "Description": f"Kotimaan myynti {vat.replace('.', ',')} %",
            "VatRate": float(vat),
            "RelatedAccounts": {"AccountNumber1": acct, "AccountNumber2": None, "AccountNumber3": None},
        }
    for name, name_en, days, typ, text in TERMS:
        tid = new_id(rng)
        company.terms[tid] = {
            "Id": tid,
            "Name": name,
            "NameEnglish": name_en,
            "NumberOfDays": days,
            "TermsOfPaymentTypeId": typ,
            "TermsOfPaymentTypeText": text,
            "AvailableForSales": True,
            "AvailableForPurchase": True,
        }
    for name, name_en, code in DELIVERY:
        did = new_id(rng)
        company.deliverymethods[did] = {"Id": did, "Name": name, "NameEnglish": name_en, "Code": code}
    bank_accounts(company)


def _iban_fi(bban: str) -> str:
    """A Finnish IBAN with valid check digits (ISO 13616: mod 97 of BBAN + "FI00" as digits)."""
    digits = int(bban + "151800")  # F = 15, I = 18, then 00
    return f"FI{98 - digits % 97:02d}{bban}"


def bank_accounts(company):
    """A couple of accounts per company, from their own random stream: the rest of the seed (ids,
    articles) stays as it was before the sandbox served /bankaccounts."""
    rng = random.Random(f"bankaccounts:{company.id}")
    for name, name_en, kind, ledger, default in BANK_ACCOUNTS:
        bid = new_id(rng)
        bban = f"{rng.randrange(10**13, 10**14)}"
        company.bankaccounts[bid] = {
            "Id": bid,
            "Name": name,
            "NameEnglish": name_en,
            "BankAccountType": kind,
            "BankAccountTypeDescription": "ChequeAccount" if kind == 1 else "SavingsAccount",
            "Bban": bban,
            "Iban": _iban_fi(bban),
            "Bank": None,
            "IsActive": True,
            "LedgerAccountNumber": ledger,
            "HasActiveBankAgreement": False,
            "IsDefaultChequeAccount": default,
            "CurrencyCode": "EUR",
            "ModifiedUtc": _ts(rng, 10),
            "BankAccountHolderName": company.name,
        }


def _by(d, key, value):
    return next(x for x in d.values() if x[key] == value)


def add_articles(state, company, n, rng, start=None):
    from .articles import refresh_article

    units = {u["Abbreviation"]: u for u in company.units.values()}
    goods = {c["_vat"]: c for c in company.codings.values() if c["Type"] == "Goods"}
    services = {c["_vat"]: c for c in company.codings.values() if c["Type"] == "Service"}
    stock_on = state.setting("stock_module", company)
    start = start if start is not None else 1001 + len(company.articles)
    for i in range(n):
        r = rng.random()
        if r < 0.12:
            base, unit = rng.choice(SERVICES)
            coding, stock = services[rng.choice(("25.5", "25.5", "14", "0"))], False
            name = (
                base
                if rng.random() < 0.5
                else f"{base} {rng.choice(('perus', 'vaativa', 'ilta', 'viikonloppu'))}"
            )
        else:
            base, unit, kind = rng.choice(GOODS)
            coding = goods["0" if r > 0.98 else VAT_BY_KIND[kind]]
            stock = stock_on and rng.random() < 0.75
            name = f"{rng.choice(ADJ)} {base}".replace("  ", " ")
        net = money(Decimal(rng.randrange(100, 50000)) / 100)
        created = _ts(rng)
        balance = 0.0
        if stock:
            balance = float(rng.randrange(0, 200))
            if unit in ("kg", "m", "l"):
                balance += rng.choice((0.25, 0.5, 0.75))
            if rng.random() < 0.03:
                balance = -float(rng.randrange(1, 5))
        aid = new_id(rng)
        a = {
            "Id": aid,
            "IsActive": rng.random() > 0.05,
            "Number": str(start + i),
            "Name": name[:50],
            "NameEnglish": None,
            "NetPrice": net,
            "NetPriceWithDiscount": net,
            "GrossPrice": 0.0,
            "CodingId": coding["Id"],
            "UnitId": units[unit]["Id"],
            "StockBalance": balance,
            "StockBalanceManuallyChangedUtc": created if stock else None,
            "CreatedUtc": created,
            "ChangedUtc": max(created, _ts(rng)),
            "HouseWorkType": None,
            "PurchasePrice": money(Decimal(str(net)) * Decimal("0.55")),
            "PurchasePriceManuallyChangedUtc": None,
            "SendToWebshop": True,
            "UsesMoss": False,
            "ArticleLabels": [],
            "MessageThreads": [],
            "Notes": [],
            "Note": None,
            "IsStock": stock,
            "StockLocationReference": f"H{rng.randrange(1, 9)}-{rng.randrange(1, 40)}" if stock else None,
            "FreightCosts": 0.0,
            "FreightCostsManuallyChangedUtc": None,
            "UpdateStockPrices": False,
            "Barcodes": [{"Barcode": f"64{rng.randrange(10**10, 10**11)}", "BarcodeType": 1}]
            if rng.random() < 0.3
            else [],
            "GreenTechnologyType": None,
            "DiscountPercentage": 0.0,
            "CurrencyCode": None,
            "PurchasePriceWithCurrency": 0.0,
            "FreightCostWithCurrency": 0.0,
            "OrderingPoint": None,
            "SupplierId": None,
            "SupplierArticleNumber": None,
        }
        refresh_article(state, company, a, prices_from="net")
        company.articles[aid] = a


def add_customers(state, company, n, rng):
    terms = list(company.terms.values())
    for i in range(n):
        city, postal = rng.choice(CITIES)
        private = rng.random() < 0.5
        first, last = rng.choice(FIRST), rng.choice(LAST)
        cin = None if private else ytunnus(rng.randrange(10**6, 10**7))
        name = f"{first} {last}" if private else f"{rng.choice(FIRMS)} {last} Oy"
        email = f"{first}.{last}{i}@example.fi".lower().replace("ä", "a").replace("ö", "o")
        cid = new_id(rng)
        term = terms[0] if private else rng.choice(terms[:3])
        c = {
            "Id": cid,
            "CustomerNumber": str(company.next("customer")),
            "Name": name,
            "IsPrivatePerson": private,
            "IsActive": True,
            "InvoiceAddress1": f"{rng.choice(STREETS)} {rng.randrange(1, 90)}",
            "InvoiceAddress2": None,
            "InvoiceCity": city,
            "InvoicePostalCode": postal,
            "InvoiceCountryCode": "FI",
            "EmailAddress": email,
            "CorporateIdentityNumber": cin,
            "VatNumber": None if private else "FI" + cin.replace("-", ""),
            "TermsOfPaymentId": term["Id"],
            "Telephone": None,
            "MobilePhone": f"040 {rng.randrange(1000000, 9999999)}",
            "ChangedUtc": _ts(rng),
            "CurrencyCode": "EUR",
        }
        from .customers import customer_defaults

        full = customer_defaults()
        full.update(c)
        full["TermsOfPayment"] = dict(term)
        company.customers[cid] = full


def add_webshop_orders(state, company, n, rng):
    from .sales import make_webshop_order

    arts = [a for a in company.articles.values() if a["IsActive"]]
    for _ in range(n):
        rows = []
        for a in rng.sample(arts, min(len(arts), rng.randrange(1, 4))):
            rows.append({"ArticleNumber": a["Number"], "Quantity": rng.randrange(1, 4)})
        first, last = rng.choice(FIRST), rng.choice(LAST)
        make_webshop_order(
            state,
            company,
            {"Name": f"{first} {last}", "Rows": rows, "EmailAddress": f"{first.lower()}@example.fi"},
            rng=rng,
        )


def seed_company(
    state,
    name="Demo Oy",
    articles=50,
    customers=10,
    webshop_orders=2,
    seed=1,
    corporate_id=None,
    company_id=None,
    webshop_status=0,
):
    """Create a company with reference data and N articles; deterministic for a given seed.
    webshop_status: CompanySettingsApi.VismaWebshopStatus (0 None, 1 Enabled, 2 Disabled, 3 Requested)."""
    rng = random.Random(seed)
    with state.lock:
        company = state.add_company(name, company_id or new_id(rng))
        cin = corporate_id or ytunnus(rng.randrange(10**6, 10**7))
        reference_data(company, rng)
        company.settings = company_settings(company, cin, rng, next(iter(company.terms)))
        company.settings["VismaWebshopStatus"] = webshop_status
        add_articles(state, company, articles, rng)
        add_customers(state, company, customers, rng)
        add_webshop_orders(state, company, webshop_orders if articles else 0, rng)
        return company


def seed_demo(state, articles=50, seed=1):
    """The default demo: demo@example.com / demo with three companies (the third with Visma Verkkokauppa),
    client silta-demo."""
    with state.lock:
        names = [
            ("Kahvila Aurinko Oy", "2345678-1"),
            ("Puuseppä Virtanen Tmi", "1572860-0"),
            ("Tekniikkatalo Oy", "0737546-2"),
        ]
        ids = []
        for i, (name, cin) in enumerate(names):
            # the third sells through Visma Verkkokauppa: its webshop link is enabled
            c = seed_company(
                state,
                name,
                articles=articles,
                seed=seed + i,
                corporate_id=ytunnus(int(cin[:7])),
                webshop_status=1 if i == 2 else 0,
            )
            ids.append(c.id)
        state.add_user("demo@example.com", "demo", ids, name="Demo User")
        state.add_client("silta-demo", "silta-demo-secret", [], loopback=True)
        return ids
