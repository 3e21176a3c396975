"""The /v2 API: routes, bearer auth, scopes, rate limit, faults and resource handlers."""

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule

from . import articles, customers, faults, sales, schemas
from .amounts import D, money, vat_out
from .http import ApiError, error_body, json_response, not_found, read_json, validation_error
from .listing import paginate
from .state import new_id

R = [
    ("/v2/companysettings", "GET", "settings_get"),
    ("/v2/companysettings", "PUT", "settings_put"),
    ("/v2/units", "GET", "units_list"),
    ("/v2/units/<id>", "GET", "units_get"),
    ("/v2/articleaccountcodings", "GET", "codings_list"),
    ("/v2/articleaccountcodings/<articleAccountCodingId>", "GET", "codings_get"),
    ("/v2/articlelabels", "GET", "labels_list"),
    ("/v2/articlelabels", "POST", "labels_post"),
    ("/v2/articlelabels/<articleLabelId>", "GET", "labels_get"),
    ("/v2/articlelabels/<articleLabelId>", "PUT", "labels_put"),
    ("/v2/articlelabels/<articleLabelId>", "DELETE", "labels_delete"),
    ("/v2/vatcodes", "GET", "vatcodes_list"),
    ("/v2/vatcodes/<id>", "GET", "vatcodes_get"),
    ("/v2/termsofpayments", "GET", "terms_list"),
    ("/v2/termsofpayments/<id>", "GET", "terms_get"),
    ("/v2/bankaccounts", "GET", "bank_list"),
    ("/v2/bankaccounts/<bankAccountId>", "GET", "bank_get"),
    ("/v2/deliverymethods", "GET", "dm_list"),
    ("/v2/deliverymethods", "POST", "dm_post"),
    ("/v2/deliverymethods/<deliveryMethodId>", "GET", "dm_get"),
    ("/v2/articles", "GET", "articles_list"),
    ("/v2/articles", "POST", "articles_post"),
    ("/v2/articles/<articleId>", "GET", "articles_get"),
    ("/v2/articles/<articleId>", "PUT", "articles_put"),
    ("/v2/customers", "GET", "customers_list"),
    ("/v2/customers", "POST", "customers_post"),
    ("/v2/customers/<customerId>", "GET", "customers_get"),
    ("/v2/customers/<customerId>", "PUT", "customers_put"),
    ("/v2/customers/<customerId>", "DELETE", "customers_delete"),
    ("/v2/orders", "GET", "orders_list"),
    ("/v2/orders", "POST", "orders_post"),
    ("/v2/orders/<id>", "GET", "orders_get"),
    ("/v2/orders/<id>", "PUT", "orders_put"),
    ("/v2/orders/<id>", "DELETE", "orders_delete"),
    ("/v2/orders/<id>/convert", "POST", "orders_convert"),
    ("/v2/orders/<id>/completed", "POST", "orders_completed"),
    ("/v2/orders/<id>/voided", "POST", "orders_voided"),
    ("/v2/customerinvoicedrafts", "GET", "drafts_list"),
    ("/v2/customerinvoicedrafts", "POST", "drafts_post"),
    ("/v2/customerinvoicedrafts/<id>", "GET", "drafts_get"),
    ("/v2/customerinvoicedrafts/<id>", "PUT", "drafts_put"),
    ("/v2/customerinvoicedrafts/<id>", "DELETE", "drafts_delete"),
    ("/v2/customerinvoicedrafts/<id>/convert", "POST", "drafts_convert"),
    ("/v2/customerinvoices", "GET", "invoices_list"),
    ("/v2/customerinvoices", "POST", "invoices_post"),
    ("/v2/customerinvoices/<invoiceId>", "GET", "invoices_get"),
    ("/v2/customerinvoices/<invoiceId>/payments", "POST", "invoices_pay"),
    ("/v2/customerinvoices/<invoiceId>/void", "POST", "invoices_void"),
    ("/v2/webshoporders", "GET", "webshop_list"),
    ("/v2/webshoporders/<webshopOrderId>", "GET", "webshop_get"),
    ("/v2/webshoporders/<webshopOrderId>/convert", "POST", "webshop_convert"),
]
URLS = Map([Rule(path, methods=[method], endpoint=ep) for path, method, ep in R], strict_slashes=False)
SCOPE = {
    "vatcodes": "ea:accounting",
    "termsofpayments": ("ea:sales", "ea:purchase"),
    "bankaccounts": "ea:purchase",  # Visma's document: ea:purchase or ea:purchase_readonly
}


class Ctx:
    def __init__(self, state, company, request, token):
        self.state, self.company, self.request, self.token = state, company, request, token

    def body(self):
        return read_json(self.request)

    def flag(self, name):
        return (self.request.args.get(name) or "").lower() == "true"


def _template(rule):
    return rule.rule.replace("<", "{").replace(">", "}")


def _auth(state, request):
    header = request.headers.get("Authorization", "")
    token = state.access_tokens.get(header[7:].strip()) if header[:7].lower() == "bearer " else None
    if token is None or token["revoked"] or token["expires"] <= state.now():
        headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
        raise ApiError(401, 4005, "Authorization has been denied for this request.", headers=headers)
    return token


def _check_scope(token, rule, method):
    scopes = set(token["scope"].split())
    resource = rule.rule.split("/")[2]
    need = SCOPE.get(resource, "ea:sales")
    need = need if isinstance(need, tuple) else (need,)
    ok = {s for n in need for s in ((n, n + "_readonly") if method == "GET" else (n,))}
    if "ea:api" not in scopes or not scopes & ok:
        raise ApiError(403, 4006, f"The access token lacks the scopes required here (any of {sorted(ok)}).")


def handle(state, request):
    """Dispatch one /v2 request; returns a Response (or raises ConnectionDropped)."""
    adapter = URLS.bind_to_environ(request.environ)
    try:
        rule, args = adapter.match(return_rule=True)
    except MethodNotAllowed:
        return json_response(
            error_body(4002, f"The requested resource does not support http method '{request.method}'."), 405
        )
    except NotFound:
        return json_response(error_body(3000, "No such API endpoint."), 404)
    endpoint = _template(rule)
    key = f"{request.method} {endpoint}"
    try:
        with state.lock:
            state.counters["requests"][key] += 1
            token = _auth(state, request)
            _check_scope(token, rule, request.method)
            bucket = {"template": endpoint, "path": request.path, "url": request.full_path.rstrip("?")}[
                state.settings["rate_limit_bucket"]
            ]
            limited = faults.rate_limit(state, token["client_id"], token["company_id"], bucket)
            limited = limited or faults.injected_fault(state)
            if limited is not None:
                state.counters["throttled" if limited.status_code == 429 else "faults"][key] += 1
                return limited
        faults.latency(state)
        with state.lock:
            company = state.companies[token["company_id"]]
            result = HANDLERS[rule.endpoint](Ctx(state, company, request, token), **args)
            drop = faults.drop_after_commit(state, request.method)
            if drop:
                state.counters["faults"][key + " dropped"] += 1
    except ApiError as e:
        return json_response(e.body(), e.status, e.headers)
    if drop:
        # The caller marks the request's log entry before it shuts the socket,
        # so a client that sees the drop always finds it logged.
        raise faults.ConnectionDropped("sandbox fault: connection dropped after commit")
    status, body = result
    return json_response(body, status)


# -- handlers ---------------------------------------------------------------------------------------
def _uuid_or_404(value, what):
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        raise not_found(what) from None
    return value


def _simple(kind, schema, what):
    def list_(ctx):
        store = getattr(ctx.company, kind)
        return 200, paginate(ctx, schema, store.values(), lambda o: _view(ctx, schema, o))

    def get(ctx, **kw):
        (oid,) = kw.values()
        obj = getattr(ctx.company, kind).get(_uuid_or_404(oid, what))
        if obj is None:
            raise not_found(what)
        return 200, _view(ctx, schema, obj)

    return list_, get


def _view(ctx, schema, obj):
    if schema == "ArticleAccountCodingApi":
        obj = dict(obj, VatRatePercent=vat_out(ctx.state, ctx.company, obj["_vat"]))
    return schemas.emit(schema, obj)


def settings_get(ctx):
    return 200, _settings_view(ctx)


def _settings_view(ctx):
    s = dict(ctx.company.settings)
    state, c = ctx.state, ctx.company
    modules = ["Invoicing", "Bookkeeping"] + (["Stock"] if state.setting("stock_module", c) else [])
    s["ActivatedModules"] = modules
    s["NextCustomerNumber"] = c.seq["customer"] + 1
    s["NextCustomerInvoiceNumber"] = c.seq["invoice"] + 1
    s["NextOrderNumber"] = c.seq["order"] + 1
    locked = state.setting("accounting_locked_to", c)
    if locked:
        s["AccountingLockedTo"] = str(locked)[:10] + "T00:00:00.000Z"
    return schemas.emit("CompanySettingsApi", s)


def settings_put(ctx):
    body = ctx.body()
    errors = schemas.validate("CompanySettingsApi", body)
    if errors:
        raise validation_error(errors)
    data = schemas.writable("CompanySettingsApi", body)
    ctx.company.settings.update(data)
    ctx.company.name = ctx.company.settings["Name"]
    return 200, _settings_view(ctx)


units_list, units_get = _simple("units", "UnitApi", "Unit")
codings_list, codings_get = _simple("codings", "ArticleAccountCodingApi", "Article account coding")
vatcodes_list, vatcodes_get = _simple("vatcodes", "VatCodeApi", "VAT code")
terms_list, terms_get = _simple("terms", "TermsOfPaymentApi", "Terms of payment")
bank_list, bank_get = _simple("bankaccounts", "BankAccountApi", "Bank account")
dm_list, dm_get = _simple("deliverymethods", "DeliveryMethodApi", "Delivery method")
webshop_list, webshop_get = _simple("webshoporders", "WebshopOrderApi", "Webshop order")
labels_list, labels_get = _simple("articlelabels", "ArticleLabelApi", "Article label")


def labels_post(ctx):
    label = articles.save_label(ctx.company, ctx.body())
    return 201, schemas.emit("ArticleLabelApi", label)


def labels_put(ctx, articleLabelId):
    existing = articles.get_label(ctx.company, _uuid_or_404(articleLabelId, "Article label"))
    return 200, schemas.emit("ArticleLabelApi", articles.save_label(ctx.company, ctx.body(), existing))


def labels_delete(ctx, articleLabelId):
    articles.get_label(ctx.company, _uuid_or_404(articleLabelId, "Article label"))
    del ctx.company.articlelabels[articleLabelId]
    return 200, None


def dm_post(ctx):
    body = ctx.body()
    errors = schemas.validate("DeliveryMethodApi", body)
    if errors:
        raise validation_error(errors)
    dm = {"Id": new_id(), "NameEnglish": None, "Code": None}
    dm.update(schemas.writable("DeliveryMethodApi", body))
    ctx.company.deliverymethods[dm["Id"]] = dm
    return 200, schemas.emit("DeliveryMethodApi", dm)


# articles
ARTICLE_COMPUTED = ("StockBalanceReserved", "StockBalanceAvailable", "StockValue")


def articles_list(ctx):
    state, company = ctx.state, ctx.company
    n = state.settings["mutate_between_pages"]
    if n and int(ctx.request.args.get("$page") or 1) > 1 and company.articles:
        now = state.now_str()
        for a in state.fault_rng.sample(list(company.articles.values()), min(n, len(company.articles))):
            a["NetPrice"] = money(D(a["NetPrice"]) + D("1.00"))
            a["ChangedUtc"] = now
            articles.refresh_article(state, company, a)
        state.changed()
        state.counters["faults"]["articles mutated between pages"] += n
    return 200, paginate(
        ctx,
        "ArticleApi",
        company.articles.values(),
        lambda a: articles.article_view(state, company, a),
        computed=ARTICLE_COMPUTED,
    )


def articles_get(ctx, articleId):
    a = articles.get_article(ctx.company, _uuid_or_404(articleId, "Article"))
    return 200, articles.article_view(ctx.state, ctx.company, a)


def articles_post(ctx):
    a = articles.save_article(ctx.state, ctx.company, ctx.body())
    return 201, articles.article_view(ctx.state, ctx.company, a)


def articles_put(ctx, articleId):
    existing = articles.get_article(ctx.company, _uuid_or_404(articleId, "Article"))
    a = articles.save_article(ctx.state, ctx.company, ctx.body(), existing)
    return 200, articles.article_view(ctx.state, ctx.company, a)


# customers
def customers_list(ctx):
    return 200, paginate(
        ctx,
        "CustomerApi",
        ctx.company.customers.values(),
        lambda c: customers.customer_view(ctx.state, ctx.company, c),
        computed=("UnpaidInvoicesAmount", "LastInvoiceDate"),
    )


def customers_get(ctx, customerId):
    c = customers.get_customer(ctx.company, _uuid_or_404(customerId, "Customer"))
    return 200, customers.customer_view(ctx.state, ctx.company, c)


def customers_post(ctx):
    c = customers.save_customer(ctx.state, ctx.company, ctx.body())
    return 201, customers.customer_view(ctx.state, ctx.company, c)


def customers_put(ctx, customerId):
    existing = customers.get_customer(ctx.company, _uuid_or_404(customerId, "Customer"))
    c = customers.save_customer(ctx.state, ctx.company, ctx.body(), existing)
    return 200, customers.customer_view(ctx.state, ctx.company, c)


def customers_delete(ctx, customerId):
    customers.delete_customer(ctx.state, ctx.company, _uuid_or_404(customerId, "Customer"))
    return 200, None


# orders
def _order(ctx, oid):
    return sales.get_doc(ctx.company.orders, _uuid_or_404(oid, "Order"), "Order")


def orders_list(ctx):
    return 200, paginate(
        ctx,
        "OrderApi",
        ctx.company.orders.values(),
        lambda o: schemas.emit("OrderApi", o),
        unverified=("YourReference", "ModifiedUtc"),
    )


def orders_get(ctx, id):
    return 200, schemas.emit("OrderApi", _order(ctx, id))


def orders_post(ctx):
    return 201, schemas.emit("OrderApi", sales.save_order(ctx.state, ctx.company, ctx.body()))


def orders_put(ctx, id):
    return 200, schemas.emit(
        "OrderApi", sales.save_order(ctx.state, ctx.company, ctx.body(), _order(ctx, id))
    )


def orders_delete(ctx, id):
    sales.delete_order(ctx.state, ctx.company, _uuid_or_404(id, "Order"))
    return 200, None


def orders_convert(ctx, id):
    body = ctx.body()
    if body is not None:
        errors = schemas.validate("OrderConversionApi", body)
        if errors:
            raise validation_error(errors)
    inv = sales.convert_order(ctx.state, ctx.company, _order(ctx, id))
    return 200, sales.invoice_view(ctx.state, ctx.company, inv)


def orders_completed(ctx, id):
    return 200, schemas.emit("OrderApi", sales.set_order_status(ctx.state, ctx.company, _order(ctx, id), 3))


def orders_voided(ctx, id):
    return 200, schemas.emit("OrderApi", sales.set_order_status(ctx.state, ctx.company, _order(ctx, id), 2))


# drafts
def _draft(ctx, did):
    return sales.get_doc(ctx.company.drafts, _uuid_or_404(did, "Invoice draft"), "Invoice draft")


def drafts_list(ctx):
    return 200, paginate(
        ctx,
        "CustomerInvoiceDraftApi",
        ctx.company.drafts.values(),
        lambda d: schemas.emit("CustomerInvoiceDraftApi", d),
        unverified=("YourReference",),
    )


def drafts_get(ctx, id):
    return 200, schemas.emit("CustomerInvoiceDraftApi", _draft(ctx, id))


def drafts_post(ctx):
    return 201, schemas.emit("CustomerInvoiceDraftApi", sales.save_draft(ctx.state, ctx.company, ctx.body()))


def drafts_put(ctx, id):
    d = sales.save_draft(ctx.state, ctx.company, ctx.body(), _draft(ctx, id))
    return 200, schemas.emit("CustomerInvoiceDraftApi", d)


def drafts_delete(ctx, id):
    _draft(ctx, id)
    del ctx.company.drafts[id]
    return 200, None


def drafts_convert(ctx, id):
    draft = _draft(ctx, id)
    keep = ctx.flag("keepOriginalDraftDate")
    inv = sales.convert_draft(ctx.state, ctx.company, draft, keep_date=keep)
    return 201, sales.invoice_view(ctx.state, ctx.company, inv)


# invoices
def _invoice(ctx, iid):
    return sales.get_doc(ctx.company.invoices, _uuid_or_404(iid, "Customer invoice"), "Customer invoice")


def invoices_list(ctx):
    items = list(ctx.company.invoices.values())
    since = ctx.request.args.get("modifiedSinceUtc")
    if since:
        d = schemas.parse_datetime(since)
        if d is None:
            raise ApiError(400, 6001, f"'{since}' is not a valid DateTime.")
        items = [i for i in items if schemas.parse_datetime(i["ModifiedUtc"]) >= d]
    return 200, paginate(
        ctx,
        "CustomerInvoiceApi",
        items,
        lambda i: sales.invoice_view(ctx.state, ctx.company, i),
        computed=("PaymentStatus",),
        unverified=("YourReference",),
    )


def invoices_get(ctx, invoiceId):
    return 200, sales.invoice_view(ctx.state, ctx.company, _invoice(ctx, invoiceId))


def invoices_post(ctx):
    inv = sales.create_invoice(ctx.state, ctx.company, ctx.body())
    return 201, sales.invoice_view(ctx.state, ctx.company, inv)


def invoices_pay(ctx, invoiceId):
    inv = _invoice(ctx, invoiceId)
    return 201, schemas.emit("InvoicePaymentApi", sales.add_payment(ctx.state, ctx.company, inv, ctx.body()))


def invoices_void(ctx, invoiceId):
    sales.void_invoice(ctx.state, ctx.company, _invoice(ctx, invoiceId), update_stock=ctx.flag("updateStock"))
    return 200, None


def webshop_convert(ctx, webshopOrderId):
    w = ctx.company.webshoporders.get(_uuid_or_404(webshopOrderId, "Webshop order"))
    if w is None:
        raise not_found("Webshop order")
    inv = sales.convert_webshop_order(ctx.state, ctx.company, w)
    return 201, inv["Id"]


HANDLERS = {ep: globals()[ep] for _, _, ep in R}
