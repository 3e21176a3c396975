"""Demo and test data: a Finnish shop's catalogue (VAT 25.5 %, 14 % food, 10 % books) and paid orders
of Finnish buyers (private persons, and a company named on its billing address)."""

from __future__ import annotations

import random
from decimal import Decimal

from .store import Store

RATES = (Decimal("0.255"), Decimal("0.14"), Decimal("0.10"))
BUYERS = (
    {
        "firstName": "Maija",
        "lastName": "Meikäläinen",
        "address1": "Kauppakatu 1",
        "zip": "70100",
        "city": "Kuopio",
    },
    {
        "firstName": "Matti",
        "lastName": "Virtanen",
        "address1": "Hämeenkatu 12 B 4",
        "zip": "33100",
        "city": "Tampere",
    },
    {"firstName": "Aino", "lastName": "Korhonen", "address1": "Rantatie 5", "zip": "90100", "city": "Oulu"},
    {
        "firstName": "Pekka",
        "lastName": "Nieminen",
        "company": "Niemisen Puutyö Oy",
        "address1": "Teollisuuskatu 3",
        "zip": "40100",
        "city": "Jyväskylä",
    },
)
NAMES = ("Kahvi", "Tee", "Muki", "Kirja", "Huivi", "Kynttilä", "Leipä", "Juliste", "Sukat", "Pipo")


def seed_store(
    store: Store, products: int = 20, orders: int = 5, seed: int = 1, untracked_every: int = 7
) -> None:
    rng = random.Random(seed)
    for n in range(1, products + 1):
        rate = RATES[n % len(RATES)]
        price = Decimal(rng.randrange(190, 9990)) / 100
        quantity = None if untracked_every and n % untracked_every == 0 else rng.randrange(0, 60)
        store.add_product(
            f"{NAMES[n % len(NAMES)]} {n}",
            [{"sku": f"SKU-{n:04d}", "price": price, "quantity": quantity}],
            tax_rate=rate,
        )
    for _ in range(orders):
        place_random_order(store, rng)


def place_random_order(store: Store, rng: random.Random) -> dict:
    # a buyer can buy only what is on sale: a draft (as Silta creates new products) is not
    variants = [
        vid
        for vid, v in store.variants.items()
        if store.products[v["_product_id"]].get("status", "ACTIVE") == "ACTIVE"
    ]
    lines = [
        (v, rng.randrange(1, 4)) for v in rng.sample(variants, k=min(len(variants), rng.randrange(1, 4)))
    ]
    discount = Decimal(rng.choice((0, 0, 10)))
    # the buyer by turn, not drawn: the random sequence (and so every seeded order's lines) stays as it was
    n = len(store.orders)
    buyer = BUYERS[n % len(BUYERS)]
    email = f"{buyer['firstName']}.{buyer['lastName']}@example.fi".lower().replace("ä", "a")
    billing = {**buyer, "countryCodeV2": "FI", "phone": f"+358401{n:06d}"}
    return store.place_order(lines, discount_percent=discount, email=email, billing=billing)
