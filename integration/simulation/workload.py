"""The owners' work, placed at random (Poisson) simulated times: articles renamed in eAccounting
and paid web orders; played against the sandboxes as the clock passes, each remembered with
the real time it happened."""

import itertools
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import requests

BUYER = {
    "first_name": "Simo",
    "last_name": "Simulaatio",
    "address_1": "Kauppakatu 1",
    "city": "Kuopio",
    "postcode": "70100",
    "country": "FI",
}


@dataclass(order=True)
class Happening:
    at: float  # simulated seconds from the start
    kind: str = field(compare=False)  # "change" or "order"
    tenant: Any = field(compare=False)  # simulation.world.SimTenant
    done_at: float | None = field(default=None, compare=False)  # time.time() when it had happened
    ref: str = field(default="", compare=False)  # the article number, or the shop order id


def plan(tenants, hours: float, changes_per_hour: float, orders_per_hour: float, seed=1) -> list[Happening]:
    rng, end, out = random.Random(seed), hours * 3600, []
    for t in tenants:
        for kind, rate in (("change", changes_per_hour), ("order", orders_per_hour)):
            at = rng.expovariate(rate / 3600) if rate else end
            while at < end:
                out.append(Happening(at, kind, t))
                at += rng.expovariate(rate / 3600)
    return sorted(out)


class Player:
    """`returning`: the share of orders placed by one of the company's customers (already in
    eAccounting, found in Silta's copy); the rest by a new buyer each, whom the order's transfer creates."""

    def __init__(self, ea: str, scale: float, happenings: list[Happening], seed=1, returning: float = 0.0):
        self.ea, self.scale, self.happenings, self.rng = ea, scale, happenings, random.Random(seed)
        self.returning, self.new_buyers = returning, itertools.count(1)
        self.session = requests.Session()
        self.errors: list[str] = []
        self.stop = threading.Event()

    def run(self, started: float) -> None:
        with ThreadPoolExecutor(8) as pool:
            for h in self.happenings:
                wait = started + h.at / self.scale - time.monotonic()
                if wait > 0 and self.stop.wait(wait):
                    return
                pool.submit(self._do, h)

    def _buyer(self, t) -> str:
        if t.buyers and self.rng.random() < self.returning:
            return self.rng.choice(t.buyers)
        return f"uusi{next(self.new_buyers)}.t{t.pk}@example.fi"

    def _do(self, h: Happening) -> None:
        t = h.tenant
        try:
            if h.kind == "change":
                number = self.rng.choice(t.articles)
                name = f"Tuote {number} {self.rng.randrange(10**6)}"
                r = self.session.patch(
                    f"{self.ea}/_sandbox/companies/{t.company_id}/articles/{number}",
                    json={"Name": name},
                    timeout=30,
                )
                h.ref = number
            else:
                lines = [{"product_id": self.rng.choice(t.products), "quantity": 1}]
                r = self.session.post(
                    f"{t.shop}/_sandbox/orders",
                    timeout=30,
                    json={
                        "line_items": lines,
                        "billing": {**BUYER, "email": self._buyer(t)},
                        "shipping_lines": [{"method_id": "flat_rate", "instance_id": 1}],
                        "payment_method": "bacs",
                        "status": "processing",
                        "set_paid": True,
                    },
                )
                h.ref = str(r.json().get("id", "")) if r.ok else ""
            r.raise_for_status()
            h.done_at = time.time()
        except (requests.RequestException, ValueError) as exc:
            self.errors.append(f"{h.kind} for tenant {t.pk}: {exc}")
