"""Shop configuration and deterministic demo data.

``install_defaults`` sets up what every sandbox shop has (Finnish tax classes and
rates, shipping zones and methods, payment gateways, setting options, categories).
``seed_shop`` adds products and orders; ``place_random_order`` places one new
order as checkout would (for the demo).
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from . import catalog, orders
from .state import ShopState

TAX_CLASSES = [
    ("standard", "Standard Rate"),
    ("reduced-rate", "Reduced Rate"),
    ("reduced-rate-10", "Reduced Rate 10"),
    ("zero-rate", "Zero Rate"),
]
TAX_RATES = [  # (id, class, rate, name)
    (1, "standard", "25.5000", "ALV 25,5 %"),
    (2, "reduced-rate", "14.0000", "ALV 14 %"),
    (3, "reduced-rate-10", "10.0000", "ALV 10 %"),
    (4, "zero-rate", "0.0000", "ALV 0 %"),
]

CATEGORIES = [
    (15, "Uncategorized", "uncategorized"),
    (16, "Vaatteet", "vaatteet"),
    (17, "Asusteet", "asusteet"),
    (18, "Koti ja sisustus", "koti-ja-sisustus"),
    (19, "Keittiö", "keittio"),
    (20, "Elintarvikkeet", "elintarvikkeet"),
    (21, "Kirjat", "kirjat"),
    (22, "Lahjakortit", "lahjakortit"),
]

# (noun, category id, tax class, base price, description)
NOUNS = [
    ("villasukat", 16, "", 24.90, "Lämpimät villasukat suomalaisesta lampaanvillasta."),
    ("pellavapaita", 16, "", 59.00, "Ilmava pellavapaita kesäpäiviin."),
    ("college-takki", 16, "", 79.00, "Pehmeä luomupuuvillainen college-takki."),
    ("pipo", 17, "", 29.90, "Merinovillainen pipo, joka ei kutita."),
    ("lapaset", 17, "", 34.50, "Perinteiset kirjoneulelapaset."),
    ("kangaskassi", 17, "", 14.90, "Tukeva kangaskassi kauppareissuille."),
    ("villahuopa", 18, "", 119.00, "Suuri villahuopa sohvalle ja mökille."),
    ("tyynynpäällinen", 18, "", 32.00, "Pellavainen tyynynpäällinen, 50 × 50 cm."),
    ("kynttilä", 18, "", 12.50, "Käsin valettu soijavahakynttilä."),
    ("kahvikuppi", 19, "", 22.00, "Kivitavarainen kahvikuppi, 2 dl."),
    ("leikkuulauta", 19, "", 39.00, "Koivuinen leikkuulauta, öljytty."),
    ("puulusikka", 19, "", 9.90, "Visakoivusta veistetty puulusikka."),
    ("kahvi 500 g", 20, "reduced-rate", 11.90, "Vaalea paahto, kokonaiset pavut."),
    ("hunaja 350 g", 20, "reduced-rate", 8.50, "Hämäläistä kukkaishunajaa."),
    ("ruisnäkkileipä", 20, "reduced-rate", 4.20, "Rapea ruisnäkkileipä."),
    ("marjamehu 0,75 l", 20, "reduced-rate", 6.90, "Mustaherukkamehu ilman lisättyä sokeria."),
    ("keittokirja", 21, "reduced-rate-10", 34.90, "Suomalaisen kotiruoan klassikot."),
    ("lintukirja", 21, "reduced-rate-10", 29.90, "Suomen linnut – maastokäsikirja."),
    ("lahjakortti", 22, "zero-rate", 50.00, "Lahjakortti verkkokauppaan."),
]
QUALIFIERS = [
    "Luomu",
    "Klassinen",
    "Pohjoinen",
    "Järvi",
    "Talvi",
    "Kesä",
    "Metsä",
    "Saaristo",
    "Tunturi",
    "Koti",
]
COLOURS = ["sininen", "punainen", "musta", "harmaa", "vihreä", "valkoinen", "keltainen", "ruskea"]
SIZES = ["S", "M", "L", "XL"]

FIRST = [
    "Aino",
    "Eero",
    "Helmi",
    "Juha",
    "Kaisa",
    "Lauri",
    "Minna",
    "Niko",
    "Oona",
    "Pekka",
    "Sanna",
    "Ville",
]
LAST = [
    "Virtanen",
    "Korhonen",
    "Mäkinen",
    "Nieminen",
    "Hämäläinen",
    "Laine",
    "Heikkinen",
    "Koskinen",
    "Järvinen",
]
CITIES = [
    ("Helsinki", "00100"),
    ("Tampere", "33100"),
    ("Turku", "20100"),
    ("Oulu", "90100"),
    ("Jyväskylä", "40100"),
    ("Kuopio", "70100"),
    ("Lahti", "15100"),
    ("Rovaniemi", "96100"),
]
NORDIC = [
    ("SE", "Stockholm", "111 22"),
    ("NO", "Oslo", "0150"),
    ("DK", "København", "1050"),
    ("EE", "Tallinn", "10111"),
]


def _setting(
    key: str,
    label: str,
    type_: str,
    value: str,
    default: str = "",
    description: str = "",
    options: dict | None = None,
) -> dict:
    s = {
        "id": key,
        "label": label,
        "description": description,
        "type": type_,
        "value": value,
        "default": default,
        "tip": description,
        "placeholder": "",
    }
    if options is not None:
        s["options"] = options
    return s


def _flat_rate(cost: str) -> dict:
    cost_help = "Enter a cost (excl. tax) or sum, e.g. <code>10.00 * [qty]</code>."
    return {
        "title": _setting(
            "title",
            "Method title",
            "text",
            "Postipaketti",
            "Flat rate",
            "This controls the title which the user sees during checkout.",
        ),
        "tax_status": _setting(
            "tax_status",
            "Tax status",
            "select",
            "taxable",
            "taxable",
            "",
            {"taxable": "Taxable", "none": "None"},
        ),
        "cost": _setting("cost", "Cost", "text", cost, "", cost_help),
        "class_costs": _setting(
            "class_costs",
            "Shipping class costs",
            "title",
            "",
            "",
            "These costs can optionally be added based on the product shipping class.",
        ),
        "no_class_cost": _setting("no_class_cost", "No shipping class cost", "text", "", "", cost_help),
        "type": _setting(
            "type",
            "Calculation type",
            "select",
            "class",
            "class",
            "",
            {
                "class": "Per class: Charge shipping for each shipping class individually",
                "order": "Per order: Charge shipping for the most expensive shipping class",
            },
        ),
    }


def _free_shipping(min_amount: str) -> dict:
    return {
        "title": _setting(
            "title",
            "Title",
            "text",
            "Ilmainen toimitus",
            "Free shipping",
            "This controls the title which the user sees during checkout.",
        ),
        "requires": _setting(
            "requires",
            "Free shipping requires...",
            "select",
            "min_amount",
            "",
            "",
            {
                "": "N/A",
                "coupon": "A valid free shipping coupon",
                "min_amount": "A minimum order amount",
                "either": "A minimum order amount OR a coupon",
                "both": "A minimum order amount AND a coupon",
            },
        ),
        "min_amount": _setting(
            "min_amount",
            "Minimum order amount",
            "price",
            min_amount,
            "",
            "Users will need to spend this amount to get free shipping (if enabled above).",
        ),
    }


def _local_pickup() -> dict:
    return {
        "title": _setting(
            "title",
            "Title",
            "text",
            "Nouto myymälästä",
            "Local pickup",
            "This controls the title which the user sees during checkout.",
        ),
        "tax_status": _setting(
            "tax_status",
            "Tax status",
            "select",
            "taxable",
            "taxable",
            "",
            {"taxable": "Taxable", "none": "None"},
        ),
        "cost": _setting("cost", "Cost", "text", "0", "", "Optional cost for local pickup."),
    }


METHOD_INFO = {
    "flat_rate": ("Flat rate", "<p>Lets you charge a fixed rate for shipping.</p>\n"),
    "free_shipping": (
        "Free shipping",
        "<p>Free shipping is a special method which can be triggered with coupons and minimum spends.</p>\n",
    ),
    "local_pickup": ("Local pickup", "<p>Allow customers to pick up orders themselves.</p>\n"),
}


def _gateway(
    gid: str,
    order: int,
    enabled: bool,
    title: str,
    description: str,
    method_title: str,
    method_description: str,
    supports: list[str],
    extra: dict | None = None,
) -> dict:
    settings = {
        "title": _setting(
            "title",
            "Title",
            "text",
            title,
            method_title,
            "This controls the title which the user sees during checkout.",
        ),
        "instructions": _setting(
            "instructions",
            "Instructions",
            "textarea",
            description,
            "",
            "Instructions that will be added to the thank you page and emails.",
        ),
    }
    settings.update(extra or {})
    return {
        "id": gid,
        "description": description,
        "order": order,
        "enabled": enabled,
        "method_title": method_title,
        "method_description": method_description,
        "method_supports": supports,
        "settings": settings,
    }


def _options(state: ShopState) -> list[dict]:
    s = state.settings
    yes_no = lambda b: "yes" if b else "no"  # noqa: E731
    currencies = {
        "EUR": "Euro (&euro;)",
        "SEK": "Swedish krona (&#107;&#114;)",
        "NOK": "Norwegian krone (&#107;&#114;)",
        "DKK": "Danish krone (DKK)",
        "USD": "United States (US) dollar (&#36;)",
        "GBP": "Pound sterling (&pound;)",
    }
    out = [
        (
            "general",
            _setting(
                "woocommerce_store_address",
                "Address line 1",
                "text",
                "Esplanadi 1",
                "",
                "The street address for your business location.",
            ),
        ),
        (
            "general",
            _setting(
                "woocommerce_store_city",
                "City",
                "text",
                "Helsinki",
                "",
                "The city in which your business is located.",
            ),
        ),
        (
            "general",
            _setting(
                "woocommerce_default_country",
                "Country / State",
                "single_select_country",
                "FI",
                "US:CA",
                "The country and state or province, if any, in which your business is located.",
            ),
        ),
        (
            "general",
            _setting(
                "woocommerce_store_postcode",
                "Postcode / ZIP",
                "text",
                "00130",
                "",
                "The postal code, if any, in which your business is located.",
            ),
        ),
        (
            "general",
            _setting(
                "woocommerce_allowed_countries",
                "Selling location(s)",
                "select",
                "all",
                "all",
                "This option lets you limit which countries you are willing to sell to.",
                {
                    "all": "Sell to all countries",
                    "all_except": "Sell to all countries, except for&hellip;",
                    "specific": "Sell to specific countries",
                },
            ),
        ),
        (
            "general",
            _setting(
                "woocommerce_calc_taxes",
                "Enable taxes",
                "checkbox",
                yes_no(s["calc_taxes"]),
                "no",
                "Enable taxes and tax calculations",
            ),
        ),
        (
            "general",
            _setting(
                "woocommerce_calc_discounts_sequentially",
                "",
                "checkbox",
                yes_no(s["calc_discounts_sequentially"]),
                "no",
                "Calculate coupon discounts sequentially",
            ),
        ),
        (
            "general",
            _setting(
                "woocommerce_currency",
                "Currency",
                "select",
                s["currency"],
                "GBP",
                "This controls what currency prices are listed at in the catalog and which currency "
                "gateways will take payments in.",
                currencies,
            ),
        ),
        (
            "general",
            _setting(
                "woocommerce_currency_pos",
                "Currency position",
                "select",
                "right_space",
                "left",
                "This controls the position of the currency symbol.",
                {
                    "left": "Left",
                    "right": "Right",
                    "left_space": "Left with space",
                    "right_space": "Right with space",
                },
            ),
        ),
        (
            "general",
            _setting(
                "woocommerce_price_thousand_sep",
                "Thousand separator",
                "text",
                " ",
                ",",
                "This sets the thousand separator of displayed prices.",
            ),
        ),
        (
            "general",
            _setting(
                "woocommerce_price_decimal_sep",
                "Decimal separator",
                "text",
                ",",
                ".",
                "This sets the decimal separator of displayed prices.",
            ),
        ),
        (
            "general",
            _setting(
                "woocommerce_price_num_decimals",
                "Number of decimals",
                "number",
                "2",
                "2",
                "This sets the number of decimal points shown in displayed prices.",
            ),
        ),
        (
            "products",
            _setting(
                "woocommerce_weight_unit",
                "Weight unit",
                "select",
                "kg",
                "kg",
                "This controls what unit you will define weights in.",
                {"kg": "kg", "g": "g", "lbs": "lbs", "oz": "oz"},
            ),
        ),
        (
            "products",
            _setting(
                "woocommerce_dimension_unit",
                "Dimensions unit",
                "select",
                "cm",
                "cm",
                "This controls what unit you will define lengths in.",
                {"m": "m", "cm": "cm", "mm": "mm", "in": "in", "yd": "yd"},
            ),
        ),
        (
            "products",
            _setting(
                "woocommerce_manage_stock",
                "Manage stock",
                "checkbox",
                "yes",
                "yes",
                "Enable stock management",
            ),
        ),
        (
            "tax",
            _setting(
                "woocommerce_prices_include_tax",
                "Prices entered with tax",
                "radio",
                yes_no(s["prices_include_tax"]),
                "no",
                "This option is important as it will affect how you input prices. Changing it will not "
                "update existing products.",
                {
                    "yes": "Yes, I will enter prices inclusive of tax",
                    "no": "No, I will enter prices exclusive of tax",
                },
            ),
        ),
        (
            "tax",
            _setting(
                "woocommerce_tax_based_on",
                "Calculate tax based on",
                "select",
                "base",
                "shipping",
                "This option determines which address is used to calculate tax.",
                {
                    "shipping": "Customer shipping address",
                    "billing": "Customer billing address",
                    "base": "Shop base address",
                },
            ),
        ),
        (
            "tax",
            _setting(
                "woocommerce_tax_round_at_subtotal",
                "Rounding",
                "checkbox",
                yes_no(s["tax_round_at_subtotal"]),
                "no",
                "Round tax at subtotal level, instead of rounding per line",
            ),
        ),
        (
            "tax",
            _setting(
                "woocommerce_tax_display_shop",
                "Display prices in the shop",
                "select",
                "incl",
                "excl",
                "",
                {"incl": "Including tax", "excl": "Excluding tax"},
            ),
        ),
        (
            "tax",
            _setting(
                "woocommerce_tax_display_cart",
                "Display prices during cart and checkout",
                "select",
                "incl",
                "excl",
                "",
                {"incl": "Including tax", "excl": "Excluding tax"},
            ),
        ),
    ]
    result = []
    for group, opt in out:
        opt = dict(opt, group_id=group)
        opt.pop("placeholder", None)
        if not opt.get("tip"):
            opt.pop("tip", None)
        result.append(opt)
    return result


SETTING_GROUPS = [
    ("general", "General"),
    ("products", "Products"),
    ("tax", "Tax"),
    ("shipping", "Shipping"),
    ("checkout", "Payments"),
    ("account", "Accounts &amp; Privacy"),
    ("email", "Emails"),
    ("advanced", "Advanced"),
]


def install_defaults(state: ShopState) -> None:
    """Configuration every sandbox shop starts with."""
    with state.lock:
        state.tax_classes = [{"slug": s, "name": n} for s, n in TAX_CLASSES]
        state.tax_rates = {
            rid: {
                "id": rid,
                "country": state.settings["tax_country"],
                "state": "",
                "postcodes": [],
                "cities": [],
                "rate": rate,
                "name": name,
                "priority": 1,
                "compound": False,
                "shipping": cls == "standard",
                "order": rid - 1,
                "class": cls,
            }
            for rid, cls, rate, name in TAX_RATES
        }
        state.categories = {cid: {"id": cid, "name": n, "slug": s} for cid, n, s in CATEGORIES}
        state.zones = {
            0: {"id": 0, "name": "Locations not covered by your other zones", "order": 0},
            1: {"id": 1, "name": "Suomi", "order": 1},
            2: {"id": 2, "name": "Pohjoismaat", "order": 2},
        }
        state.zone_locations = {
            1: [{"code": "FI", "type": "country"}],
            2: [{"code": c, "type": "country"} for c in ("SE", "NO", "DK", "IS")],
        }

        def method(zone: int, method_id: str, order: int, settings: dict, enabled: bool = True) -> None:
            title, desc = METHOD_INFO[method_id]
            state.zone_methods[zone].append(
                {
                    "instance_id": state.next_instance_id(),
                    "order": order,
                    "enabled": enabled,
                    "method_id": method_id,
                    "method_title": title,
                    "method_description": desc,
                    "settings": settings,
                }
            )

        method(1, "flat_rate", 1, _flat_rate("5.90"))
        method(1, "free_shipping", 2, _free_shipping("79.00"))
        method(1, "local_pickup", 3, _local_pickup())
        nordic = _flat_rate("14.90")
        nordic["title"]["value"] = "Pohjoismaat – paketti"
        method(2, "flat_rate", 1, nordic)
        method(2, "free_shipping", 2, _free_shipping("150.00"))
        state.gateways = {
            g["id"]: g
            for g in [
                _gateway(
                    "bacs",
                    0,
                    True,
                    "Tilisiirto",
                    "Maksa tilisiirrolla. Käytä tilauksen numeroa viitteenä.",
                    "Direct bank transfer",
                    "Take payments in person via BACS. More commonly known as direct bank/wire transfer.",
                    ["products"],
                ),
                _gateway(
                    "cheque",
                    1,
                    False,
                    "Shekki",
                    "Lähetä shekki kaupan osoitteeseen.",
                    "Check payments",
                    "Take payments in person via checks.",
                    ["products"],
                ),
                _gateway(
                    "cod",
                    2,
                    True,
                    "Postiennakko",
                    "Maksa tilaus noudettaessa.",
                    "Cash on delivery",
                    "Have your customers pay with cash (or by other means) upon delivery.",
                    ["products"],
                    {
                        "enable_for_virtual": _setting(
                            "enable_for_virtual",
                            "Accept COD if the order is virtual",
                            "checkbox",
                            "yes",
                            "yes",
                        )
                    },
                ),
                _gateway(
                    "paytrail",
                    3,
                    True,
                    "Verkkopankit ja kortit",
                    "Maksa verkkopankilla, kortilla tai mobiilimaksulla.",
                    "Paytrail",
                    "Paytrail: Finnish online banks, cards and mobile payments.",
                    ["products", "refunds"],
                ),
                _gateway(
                    "stripe",
                    4,
                    False,
                    "Luottokortti",
                    "Maksa luotto- tai debit-kortilla.",
                    "Stripe",
                    "Take payments via Stripe (cards).",
                    ["products", "refunds", "tokenization"],
                ),
            ]
        }
        state.options = {o["id"]: o for o in _options(state)}
        state.setting_groups = SETTING_GROUPS


# ---------------------------------------------------------------------- products
def _fmt(price: float) -> str:
    return f"{price:.2f}"


def seed_products(
    state: ShopState,
    n: int,
    rng: random.Random,
    *,
    base_url: str = "http://127.0.0.1",
    legacy_duplicates: bool = True,
    variable_every: int = 40,
) -> list[int]:
    """Create ``n`` products directly in state (fast; no webhooks). Returns their ids."""
    now = state.now()
    ids = []
    dup_sources: list[str] = []
    with state.lock:
        for i in range(n):
            variable = bool(variable_every) and i % variable_every == 1
            noun_index = (i // variable_every) % 6 if variable else i % len(NOUNS)  # variable: clothing
            noun, cat, tax_class, base_price, desc = NOUNS[noun_index]
            qual = QUALIFIERS[(i // len(NOUNS)) % len(QUALIFIERS)]
            colour = COLOURS[rng.randrange(len(COLOURS))]
            name = f"{qual} {noun}, {colour}"
            if i >= len(NOUNS) * len(QUALIFIERS):
                name += f" {i // (len(NOUNS) * len(QUALIFIERS)) + 1}"
            rec = catalog.new_product_record(state)
            pid = state.next_id()
            created = now - timedelta(days=rng.randrange(30, 400), seconds=rng.randrange(86400))
            modified = created + timedelta(days=rng.randrange(0, 29), seconds=rng.randrange(86400))
            price = base_price * (1 + (rng.randrange(0, 5) - 2) / 10)
            rec.update(
                id=pid,
                name=name,
                slug=f"{catalog.slugify(name)}-{pid}",
                type="variable" if variable else "simple",
                description=f"<p>{desc}</p>\n<p>{qual}-malliston tuote. Väri: {colour}.</p>\n",
                short_description=f"<p>{desc}</p>\n",
                tax_class=tax_class,
                regular_price="" if variable else _fmt(price),
                categories=[{"id": cat}],
                _created=created,
                _modified=modified,
                weight=f"{rng.randrange(1, 30) / 10:.1f}",
                total_sales=rng.randrange(0, 50),
            )
            if not variable and rng.random() < 0.1:
                rec["sale_price"] = _fmt(price * 0.8)
            if cat == 22:
                rec["virtual"] = True
            slug = catalog.slugify(noun)
            rec["images"] = [
                {
                    "id": state.next_image_id(),
                    "_created": created,
                    "_modified": created,
                    "src": f"{base_url}/img/{slug}-{pid}.jpg",
                    "name": f"{slug}-{pid}",
                    "alt": name,
                }
                for _ in range(1 if rng.random() < 0.7 else 2)
            ]
            r = rng.random()
            if r < 0.06:
                sku = ""  # no SKU
            elif legacy_duplicates and r < 0.08 and dup_sources:
                sku = dup_sources[
                    rng.randrange(len(dup_sources))
                ]  # legacy duplicate (not possible via the API)
            else:
                sku = f"{slug.upper()[:4].replace('-', '')}-{pid}"
                dup_sources.append(sku) if len(dup_sources) < 50 else None
            rec["sku"] = "" if variable and r < 0.06 else sku
            if not variable and rng.random() < 0.75:
                rec["manage_stock"] = True
                rec["stock_quantity"] = rng.choice([0, 1, 2, 3, 5, 8, 12, 20, 35, 50, 100])
                if rng.random() < 0.05:
                    rec["backorders"] = "notify"
            elif not variable and rng.random() < 0.1:
                rec["stock_status"] = "outofstock"
            from . import resources as R

            R.derive_stock_status(rec)
            state.products[pid] = rec
            catalog.index_sku(state, rec)
            ids.append(pid)
            if variable:
                _seed_variations(state, rec, price, rng, created)
    return ids


def _seed_variations(state: ShopState, parent: dict, price: float, rng: random.Random, created) -> None:
    from . import resources as R

    parent["attributes"] = [
        {
            "id": 0,
            "name": "Koko",
            "position": 0,
            "visible": True,
            "variation": True,
            "options": list(SIZES[:3]),
        }
    ]
    parent["default_attributes"] = [{"id": 0, "name": "Koko", "option": "M"}]
    for j, size in enumerate(SIZES[:3]):
        v = catalog.new_variation_record(state, parent["id"])
        vid = state.next_id()
        v.update(
            id=vid,
            sku=f"{parent['sku']}-{size}" if parent["sku"] else "",
            regular_price=_fmt(price + j * 2),
            tax_class=parent["tax_class"],
            manage_stock=True,
            stock_quantity=rng.choice([0, 3, 6, 10, 25]),
            attributes=[{"id": 0, "name": "Koko", "option": size}],
            _created=created,
            _modified=created,
            menu_order=j,
        )
        R.derive_stock_status(v)
        state.variations[vid] = v
        parent["_variation_ids"].append(vid)
        catalog.index_sku(state, v)


# ---------------------------------------------------------------------- orders
def _customer(rng: random.Random, nordic: bool = False) -> dict:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    if nordic:
        country, city, postcode = rng.choice(NORDIC)
    else:
        (city, postcode), country = rng.choice(CITIES), "FI"
    return {
        "first_name": first,
        "last_name": last,
        "company": "",
        "address_1": f"{rng.choice(['Koulukatu', 'Rantatie', 'Puistokatu', 'Kauppakatu'])} {rng.randrange(1, 60)}",
        "address_2": "",
        "city": city,
        "state": "",
        "postcode": postcode,
        "country": country,
        "email": f"{first.lower()}.{last.lower()}@example.fi".replace("ä", "a").replace("ö", "o"),
        "phone": f"+35840{rng.randrange(1000000, 9999999)}",
    }


def _buyable(state: ShopState) -> list[tuple[int, int]]:
    """(product_id, variation_id) pairs that can be bought now."""
    out = []
    for p in state.products.values():
        if p["status"] != "publish":
            continue
        if p["type"] == "variable":
            for vid in p.get("_variation_ids", []):
                v = state.variations.get(vid)
                if v and v["stock_status"] != "outofstock" and v.get("regular_price"):
                    out.append((p["id"], vid))
        elif p["type"] == "simple" and p["stock_status"] != "outofstock" and p.get("regular_price"):
            out.append((p["id"], 0))
    return out


def order_spec(state: ShopState, rng: random.Random, buyable: list[tuple[int, int]] | None = None) -> dict:
    buyable = buyable if buyable is not None else _buyable(state)
    if not buyable:
        raise ValueError("no purchasable products in the shop")
    nordic = rng.random() < 0.15
    billing = _customer(rng, nordic)
    lines = []
    seen = set()
    for _ in range(rng.choice([1, 1, 2, 2, 3, 4])):
        pid, vid = buyable[rng.randrange(len(buyable))]
        if (pid, vid) in seen:
            continue
        seen.add((pid, vid))
        target = state.variations[vid] if vid else state.products[pid]
        qty = rng.choice([1, 1, 1, 2, 3])
        if target.get("manage_stock") and target.get("backorders") == "no":
            qty = max(1, min(qty, int(target.get("stock_quantity") or 1)))
        lines.append({"product_id": pid, "variation_id": vid, "quantity": qty})
    gateway = rng.choice(["paytrail", "paytrail", "paytrail", "bacs", "cod"])
    r = rng.random()
    if nordic:
        shipping = {"method_id": "flat_rate", "instance_id": state.zone_methods[2][0]["instance_id"]}
    elif r < 0.15:
        shipping = {"method_id": "local_pickup", "instance_id": state.zone_methods[1][2]["instance_id"]}
    elif r < 0.3:
        shipping = {
            "method_id": "free_shipping",
            "instance_id": state.zone_methods[1][1]["instance_id"],
            "total": "0",
        }
    else:
        shipping = {"method_id": "flat_rate", "instance_id": state.zone_methods[1][0]["instance_id"]}
    spec: dict[str, Any] = {
        "payment_method": gateway,
        "billing": billing,
        "shipping": {k: v for k, v in billing.items() if k not in ("email", "phone")},
        "line_items": lines,
        "shipping_lines": [shipping],
        "status": {"bacs": "on-hold", "cod": "processing", "paytrail": "processing"}[gateway],
    }
    if gateway == "paytrail":
        spec["transaction_id"] = f"pt-{rng.randrange(10**9):09d}"
    if gateway == "cod":
        spec["fee_lines"] = [
            {"name": "Postiennakkomaksu", "total": "3.90", "tax_class": "", "tax_status": "taxable"}
        ]
    if rng.random() < 0.1:
        spec["coupon_lines"] = [{"code": "ale10"}]
    if rng.random() < 0.1:
        spec["customer_note"] = "Jättäkää paketti oven taakse, kiitos."
    return spec


def seed_orders(state: ShopState, n: int, rng: random.Random, days: int = 60) -> list[int]:
    """Historical orders in several states (no webhooks, stock left as seeded)."""
    ids = []
    with state.lock:
        buyable = _buyable(state)
        if not buyable:
            return ids
        now = state.now()
        weights = [
            ("completed", 45),
            ("processing", 20),
            ("on-hold", 6),
            ("pending", 8),
            ("cancelled", 8),
            ("refunded", 5),
            ("failed", 3),
        ]
        statuses = [s for s, w in weights for _ in range(w)]
        created_list = sorted(now - timedelta(days=rng.random() * days) for _ in range(n))
        for created in created_list:
            spec = order_spec(state, rng, buyable)
            status = rng.choice(statuses)
            spec["status"] = "pending"
            spec["date_created_gmt"] = state.gmt(created)
            o = orders.create_order(state, spec, created_via="checkout", fire=False, reduce_stock=False)
            final = "completed" if status == "refunded" else status
            orders._apply_status(state, o, final, note=True)
            if status in ("processing", "completed", "refunded") and o.get("_paid") is not None:
                o["_paid"] = created + timedelta(minutes=2)
            if o.get("_completed") is not None:
                o["_completed"] = created + timedelta(days=rng.randrange(1, 4))
            if status == "refunded":
                orders.create_refund(
                    state,
                    o["id"],
                    {
                        "amount": o["total"],
                        "reason": "Asiakas palautti tuotteet",
                        "api_refund": False,
                        "api_restock": False,
                    },
                )
            o["_modified"] = max(o.get("_completed") or created, created + timedelta(minutes=5))
            if o["_modified"] > now:
                o["_modified"] = now
            for note in state.notes[o["id"]]:
                note["_created"] = created
            ids.append(o["id"])
    return ids


def seed_shop(
    state: ShopState,
    products: int = 200,
    orders: int = 50,
    seed: int = 1,
    legacy_duplicates: bool = True,
    variable_every: int = 40,
    order_days: int = 60,
) -> dict:
    """Deterministic demo data (given ``seed``): products (some without SKU, some legacy duplicate SKUs,
    variable products with variations, several tax classes, managed / unmanaged stock) and orders."""
    rng = random.Random(seed)
    pids = seed_products(
        state,
        products,
        rng,
        base_url="http://127.0.0.1",
        legacy_duplicates=legacy_duplicates,
        variable_every=variable_every,
    )
    oids = seed_orders(state, orders, rng, days=order_days) if orders else []
    state.bump("seeded_products", len(pids))
    state.bump("seeded_orders", len(oids))
    return {"products": len(pids), "variations": len(state.variations), "orders": len(oids)}


def place_random_order(state: ShopState, rng: random.Random | None = None) -> dict:
    """Place one new order now, as checkout would: reduces stock, fires order.created."""
    rng = rng or random.Random()
    with state.lock:
        spec = order_spec(state, rng)
        return orders.create_order(state, spec, created_via="checkout")
