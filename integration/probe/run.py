"""Runs the probe's sequence against one connected company and keeps everything in a ProbeReport."""

import logging
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from ..eaccounting import contract, tokens
from ..eaccounting.resources import read_field
from ..models import ProbeReport, Tenant
from . import steps
from .recorder import Answer, Recorder, RequestBoundReached
from .steps import Finding

log = logging.getLogger(__name__)

PAGE_ASK = 1000
READ_REQUESTS = 12  # the read-only questions besides the burst
WRITE_REQUESTS = 30
BURST_CHECKS = 3
MAX_COOL_DOWN = 65.0  # seconds waited after the burst before writing (the window, or Retry-After)
UNIT_PRICE = Decimal("12.40")


def bound(write: bool) -> int:
    """The most requests a probe sends: the burst stays within the limit + 5."""
    return READ_REQUESTS + contract.current().rate_limit + 1 + BURST_CHECKS + (WRITE_REQUESTS if write else 0)


def _message(answer: Answer) -> str:
    body = answer.body if isinstance(answer.body, dict) else {}
    return str(
        body.get("DeveloperErrorMessage") or body.get("Message") or body.get("message") or answer.text[:200]
    )


class Probe:
    def __init__(self, report: ProbeReport, progress: Callable[[str], None]):
        self.report, self.progress = report, progress
        self.findings: dict[str, Finding] = {}
        self.made: list[str] = []  # what the write phase made and left, in words
        assert report.tenant is not None  # a report outlives its company only after the run
        connection = report.tenant.eaccounting_connection
        self.http = Recorder(
            settings.EACCOUNTING_API_URL,
            tokens.access_token(connection.pk),
            bound(report.write),
            timeout=settings.EACCOUNTING_TIMEOUT,
        )
        second = report.second_tenant
        self.second_token = tokens.access_token(second.eaccounting_connection.pk) if second else None
        self.stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        self.cool_down = 0.0

    def found(self, *findings: Finding) -> None:
        for f in findings:
            self.findings[f.key] = f

    # --- read-only ------------------------------------------------------------------------
    def read(self) -> None:
        self.progress("company settings")
        company = self.http.send("GET", "/companysettings", note="company settings")
        self.found(steps.stock_module_names(list(read_field(company.body, "ActivatedModules") or [])))
        self.progress("codings")
        codings = self.http.send("GET", "/articleaccountcodings", params={"$pagesize": 100}, note="codings")
        self.codings = list(read_field(codings.body, "Data") or [])
        self.found(steps.vat_rate_format([read_field(c, "VatRatePercent") for c in self.codings]))
        self.progress("page size")
        page = self.http.send(
            "GET", "/articles", params={"$pagesize": PAGE_ASK, "$page": 1}, note="page size"
        )
        meta = read_field(page.body, "Meta") or {}
        items = list(read_field(page.body, "Data") or [])
        self.article_ids = [read_field(a, "Id") for a in items if read_field(a, "Id")]
        self.found(
            steps.page_size(
                PAGE_ASK, read_field(meta, "PageSize"), len(items), read_field(meta, "TotalNumberOfResults")
            )
        )
        self.progress("filters")
        either = self.http.send(
            "GET",
            "/articles",
            note="`or` in $filter",
            params={
                "$filter": f"Number eq 'SILTA-PROBE-{self.stamp}-A' or Number eq 'SILTA-PROBE-{self.stamp}-B'",
                "$pagesize": 1,
            },
        )
        self.found(steps.filter_accepted(steps.Key.FILTER_OR, either.status, _message(either)))
        reference = self.http.send(
            "GET",
            "/customerinvoicedrafts",
            note="YourReference $filter",
            params={"$filter": f"YourReference eq 'SILTA-PROBE-{self.stamp}'", "$pagesize": 1},
        )
        self.found(
            steps.filter_accepted(steps.Key.FILTER_YOUR_REFERENCE, reference.status, _message(reference))
        )
        self.found(steps.refresh_rotation_grace())
        self.progress("throttled burst")
        self.burst()

    def burst(self) -> None:
        if not self.article_ids:
            self.found(
                *[
                    steps.unsettled(k, "The company has no article to send the burst to.")
                    for k in steps.STEPS[5].settles
                ]
            )
            return
        first = self.article_ids[0]
        path = f"/articles/{first}"
        limit = contract.current().rate_limit + 1
        answers = self.http.burst(path, limit)
        refused = next((a for a in answers if a.status == 429), None)
        other = query = second = None
        if refused is not None:
            if len(self.article_ids) > 1:
                other = self.http.send(
                    "GET", f"/articles/{self.article_ids[1]}", note="same template, another id"
                ).status
                if other != 429:
                    query = self.http.send(
                        "GET", path, params={"$pagesize": 1}, note="same path, another URL"
                    ).status
            if self.second_token:
                second = self.http.send(
                    "GET", path, token=self.second_token, note="same URL, second company"
                ).status
        retry_after = refused.headers.get("Retry-After") if refused else None
        found = steps.burst_findings(
            steps.Burst(
                statuses=[a.status for a in answers],
                retry_after=retry_after,
                message=_message(refused) if refused else "",
                other_id=other,
                same_path_query=query,
                second_company=second,
                bound=limit,
            )
        )
        self.found(*found)
        if refused is not None:
            window = self.findings[steps.Key.RATE_WINDOW].value or contract.current().rate_window
            self.cool_down = min(MAX_COOL_DOWN, float(retry_after or 0) or float(window))

    # --- writes -----------------------------------------------------------------------------
    def write(self) -> None:
        if self.cool_down:
            self.progress(f"waiting {self.cool_down:g} s for the rate limit to pass")
            time.sleep(self.cool_down)
        article = customer = None
        try:
            article = self.test_article()
            customer = self.test_customer()
            invoice = self.draft_and_invoice(article, customer)
            if invoice:
                self.credit(invoice)
            self.webshop_order()
        finally:
            self.clean_up(article, customer)

    def _need(self, answer: Answer, what: str) -> dict:
        if not answer.ok or not isinstance(answer.body, dict):
            raise ProbeStopped(f"{what}: eAccounting answered HTTP {answer.status}: {_message(answer)}")
        return answer.body

    def test_article(self) -> dict:
        self.progress("test article")
        goods = [
            c
            for c in self.codings
            if read_field(c, "Type") != "Service"
            and read_field(c, "IsActive", True)
            and Decimal(str(read_field(c, "VatRatePercent") or 0)) > 0
        ]
        units = self._need(self.http.send("GET", "/units", params={"$pagesize": 1}, note="a unit"), "units")
        if not goods or not read_field(units, "Data"):
            raise ProbeStopped("The company needs a goods coding with VAT and a unit for the test article.")
        stock = bool(self.findings.get(steps.Key.STOCK_MODULE_NAMES, steps.unsettled("", "")).settled)
        note = f"Silta probe {self.stamp}"
        body = {
            "Number": f"SILTA-PROBE-{self.stamp}",
            "Name": f"SILTA-PROBE test article {self.stamp}",
            "CodingId": read_field(goods[0], "Id"),
            "UnitId": read_field(read_field(units, "Data")[0], "Id"),
            "NetPrice": float(UNIT_PRICE),
            "IsActive": True,
            "IsStock": stock,
            "Note": note,
        }
        article = self._need(
            self.http.send("POST", "/articles", body=body, note="test article"), "the test article"
        )
        self.made.append(f"article {body['Number']}")
        without_note = {k: v for k, v in article.items() if k.lower() != "note"}
        self._need(
            self.http.send("PUT", f"/articles/{article['Id']}", body=without_note, note="PUT without Note"),
            "PUT of the test article",
        )
        after = self._need(
            self.http.send("GET", f"/articles/{article['Id']}", note="read back"), "reading it back"
        )
        self.found(steps.put_resets_omitted(note, read_field(after, "Note")))
        return after

    def test_customer(self) -> dict:
        self.progress("test customer")
        terms = self._need(
            self.http.send("GET", "/termsofpayments", params={"$pagesize": 1}, note="terms"), "terms"
        )
        body = {
            "Name": f"SILTA-PROBE private person {self.stamp}",
            "IsPrivatePerson": True,
            "IsActive": True,
            "TermsOfPaymentId": read_field((read_field(terms, "Data") or [{}])[0], "Id"),
            "CurrencyCode": "EUR",
            "InvoiceAddress1": "Testikatu 1",
            "InvoicePostalCode": "00100",
            "InvoiceCity": "Helsinki",
            "InvoiceCountryCode": "FI",
            "EmailAddress": "silta-probe@example.invalid",
        }
        customer = self._need(
            self.http.send("POST", "/customers", body=body, note="test customer"), "the test customer"
        )
        self.made.append(f"customer {body['Name']}")
        return customer

    def draft_and_invoice(self, article: dict, customer: dict) -> dict | None:
        self.progress("draft and invoice")
        row = {
            "LineNumber": 0,
            "ArticleId": article["Id"],
            "ArticleNumber": article["Number"],
            "Quantity": 1.0,
            "UnitPrice": float(UNIT_PRICE),
            "DiscountPercentage": 0.0,
            "Text": "SILTA-PROBE",
            "IsTextRow": False,
            "IsWorkCost": False,
            "ReversedConstructionServicesVatFree": False,
        }
        body = {
            "CustomerId": customer["Id"],
            "EuThirdParty": False,
            "RotReducedInvoicingType": 0,
            "YourReference": f"SILTA-PROBE-{self.stamp}",
            "InvoiceDate": date.today().isoformat(),
            "Rows": [row],
        }
        draft = self._need(
            self.http.send("POST", "/customerinvoicedrafts", body=body, note="test draft"), "the draft"
        )
        self.found(
            steps.includes_vat(
                "draft",
                read_field(draft, "IncludesVat"),
                read_field(draft, "TotalAmount"),
                read_field(draft, "TotalVatAmount"),
                UNIT_PRICE,
            )
        )
        invoice_id = self._need(
            self.http.send("POST", f"/customerinvoicedrafts/{draft['Id']}/convert", note="draft to invoice"),
            "the conversion",
        )
        invoice_id = invoice_id.get("Id", invoice_id) if isinstance(invoice_id, dict) else invoice_id
        invoice = self._need(
            self.http.send("GET", f"/customerinvoices/{invoice_id}", note="the invoice"), "the invoice"
        )
        self.made.append(f"invoice {read_field(invoice, 'InvoiceNumber')}")
        after = self._need(
            self.http.send("GET", f"/articles/{article['Id']}", note="stock after"), "the article"
        )
        self.found(
            steps.stock_bumps_changed_utc(
                bool(read_field(article, "IsStock")),
                read_field(article, "ChangedUtc"),
                read_field(after, "ChangedUtc"),
                (read_field(article, "StockBalance"), read_field(after, "StockBalance")),
            )
        )
        return invoice

    def credit(self, invoice: dict) -> None:
        self.progress("credit")
        credit = self.http.send("POST", f"/customerinvoices/{invoice['Id']}/void", note="credit the invoice")
        if credit.ok:
            self.made.append(f"credit of invoice {read_field(invoice, 'InvoiceNumber')}")
        else:
            self.made.append(
                f"invoice {read_field(invoice, 'InvoiceNumber')} NOT credited: HTTP {credit.status}"
            )

    def webshop_order(self) -> None:
        self.progress("webshop order")
        listed = self.http.send("GET", "/webshoporders", params={"$pagesize": 1}, note="a webshop order")
        orders = list(read_field(listed.body, "Data") or []) if listed.ok else []
        if not orders:
            self.found(steps.converted_order_stays(None, None))
            return
        order_id = read_field(orders[0], "Id")
        converted = self.http.send(
            "POST", f"/webshoporders/{order_id}/convert", note="convert the webshop order"
        )
        if not converted.ok:
            self.found(
                steps.unsettled(
                    steps.Key.CONVERTED_ORDERS_STAY_LISTED,
                    f"Converting webshop order {order_id} answered HTTP {converted.status}.",
                )
            )
            return
        self.made.append(f"paid invoice {converted.body} from webshop order {order_id} (left as it is)")
        after = self.http.send("GET", f"/webshoporders/{order_id}", note="the converted order again")
        self.found(steps.converted_order_stays(order_id, after.status))

    def clean_up(self, article: dict | None, customer: dict | None) -> None:
        self.progress("clean up")
        for path, record in (("/articles", article), ("/customers", customer)):
            if record is None:
                continue
            try:
                current = self.http.send("GET", f"{path}/{record['Id']}", note="before deactivating")
                if current.ok and isinstance(current.body, dict):
                    done = self.http.send(
                        "PUT",
                        f"{path}/{record['Id']}",
                        body={**current.body, "IsActive": False},
                        note="deactivate",
                    )
                    self.made.append(
                        f"{path[1:-1]} {record['Id']} {'deactivated' if done.ok else 'NOT deactivated'}"
                    )
            except (RequestBoundReached, OSError) as exc:  # keep going: the report says what is left
                self.made.append(f"{path[1:-1]} {record['Id']} NOT deactivated ({exc})")


class ProbeStopped(Exception):
    """A write step could not go on; what was made is cleaned up and the report says why."""


def run(report: ProbeReport) -> ProbeReport:
    """Run the sequence for `report` (queued by the command or the admin page); keeps the report current."""
    started = time.monotonic()
    assert report.tenant is not None  # started for a company; kept without one only after it is deleted
    report.status, report.company_name = (
        ProbeReport.Status.RUNNING,
        report.tenant.eaccounting_connection.company_name,
    )
    report.save(update_fields=["status", "company_name"])

    def progress(text: str) -> None:
        ProbeReport.objects.filter(pk=report.pk).update(progress=text[:200], request_count=probe.http.count)

    probe = Probe(report, progress)
    try:
        probe.read()
        if report.write:
            probe.write()
        report.status = ProbeReport.Status.DONE
    except (ProbeStopped, RequestBoundReached, OSError) as exc:
        report.status, report.error = ProbeReport.Status.FAILED, str(exc)
    except Exception as exc:  # the report keeps what was seen up to here
        log.exception("the eAccounting probe failed")
        report.status, report.error = ProbeReport.Status.FAILED, f"{exc.__class__.__name__}: {exc}"
    report.findings = [f.as_json() for f in probe.findings.values()]
    report.exchanges = probe.http.exchanges
    report.request_count = probe.http.count
    report.made = probe.made
    report.progress = "; ".join(probe.made)[:200] if report.write else ""
    report.finished_at = timezone.now()
    report.wall_seconds = round(time.monotonic() - started, 2)
    report.save()
    return report


def start(
    tenant: Tenant, *, write: bool, second_tenant: Tenant | None = None, started_by: str = ""
) -> ProbeReport:
    return ProbeReport.objects.create(
        tenant=tenant,
        second_tenant=second_tenant,
        write=write,
        started_by=started_by,
        company_name=tenant.eaccounting_connection.company_name,
    )
