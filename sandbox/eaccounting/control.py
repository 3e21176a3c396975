"""The /_sandbox/ control API (JSON): configure and inspect the sandbox over HTTP."""

import json
import random
from datetime import timedelta

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule

from . import identity, seed
from .amounts import D
from .articles import article_view
from .http import ApiError, json_response
from .sales import convert_webshop_order, invoice_view, make_webshop_order
from .state import check_choices

URLS = Map(
    [
        Rule(p, methods=m, endpoint=e)
        for p, m, e in [
            ("/_sandbox/", ["GET"], "index"),
            ("/_sandbox/state", ["GET"], "summary"),
            ("/_sandbox/reset", ["POST"], "reset"),
            ("/_sandbox/settings", ["GET"], "settings_get"),
            ("/_sandbox/settings", ["PATCH", "POST", "PUT"], "settings_set"),
            ("/_sandbox/companies", ["GET"], "companies"),
            ("/_sandbox/companies", ["POST"], "company_create"),
            ("/_sandbox/companies/<cid>", ["GET"], "company_get"),
            ("/_sandbox/companies/<cid>", ["PATCH"], "company_patch"),
            ("/_sandbox/companies/<cid>/articles", ["POST"], "company_seed_articles"),
            ("/_sandbox/companies/<cid>/stock", ["POST"], "company_stock"),
            ("/_sandbox/companies/<cid>/articles/<number>", ["PATCH"], "company_article_edit"),
            ("/_sandbox/companies/<cid>/invoices/<iid>", ["PATCH"], "company_invoice_edit"),
            ("/_sandbox/companies/<cid>/webshoporders", ["POST"], "company_webshop"),
            (
                "/_sandbox/companies/<cid>/webshoporders/<wid>/convert-by-hand",
                ["POST"],
                "company_webshop_convert",
            ),
            ("/_sandbox/companies/<cid>/webshop-status", ["PUT"], "company_webshop_status"),
            ("/_sandbox/companies/<cid>/resources/<kind>", ["GET"], "company_resources"),
            ("/_sandbox/users", ["GET"], "users"),
            ("/_sandbox/users", ["POST"], "user_create"),
            ("/_sandbox/clients", ["GET"], "clients"),
            ("/_sandbox/clients", ["POST"], "client_create"),
            ("/_sandbox/tokens", ["GET"], "tokens"),
            ("/_sandbox/tokens", ["POST"], "token_create"),
            ("/_sandbox/tokens/expire", ["POST"], "tokens_expire"),
            ("/_sandbox/tokens/revoke", ["POST"], "tokens_revoke"),
            ("/_sandbox/counters", ["GET"], "counters"),
            ("/_sandbox/counters", ["DELETE"], "counters_reset"),
            ("/_sandbox/requests", ["GET"], "requests_get"),
            ("/_sandbox/requests", ["DELETE"], "requests_clear"),
        ]
    ],
    strict_slashes=False,
)


def handle(app, request):
    try:
        endpoint, args = URLS.bind_to_environ(request.environ).match()
        body = json.loads(request.get_data() or b"{}") if request.method != "GET" else {}
        with app.state.lock:
            result = globals()["c_" + endpoint](app, request, body, **args)
    except HTTPException as e:
        return json_response({"error": e.name}, e.code)
    except ApiError as e:
        return json_response(e.body(), e.status)
    except (KeyError, ValueError, TypeError) as e:
        return json_response({"error": f"{type(e).__name__}: {e}"}, 400)
    status, data = result if isinstance(result, tuple) else (200, result)
    return json_response(data, status)


def _company(app, cid):
    c = app.state.companies.get(cid)
    if c is None:
        raise ApiError(404, 3000, "No such company.")
    return c


def _company_summary(app, c):
    return {
        "id": c.id,
        "name": c.name,
        "corporate_identity_number": c.settings.get("CorporateIdentityNumber"),
        "webshop_status": c.settings.get("VismaWebshopStatus"),
        "overrides": c.overrides,
        "counts": {
            k: len(getattr(c, k))
            for k in ("articles", "customers", "orders", "drafts", "invoices", "webshoporders")
        },
    }


def c_index(app, request, body):
    return {
        "routes": sorted(
            {f"{','.join(sorted(r.methods - {'HEAD', 'OPTIONS'}))} {r.rule}" for r in URLS.iter_rules()}
        )
    }


def c_summary(app, request, body):
    s = app.state
    return {
        "settings": s.settings,
        "companies": [_company_summary(app, c) for c in s.companies.values()],
        "users": {u: v["companies"] for u, v in s.users.items()},
        "clients": list(s.clients),
    }


def c_reset(app, request, body):
    app.reset(settings=body.get("settings"), demo=body.get("demo", True), articles=body.get("articles"))
    return c_summary(app, request, body)


def c_settings_get(app, request, body):
    return app.state.settings


def c_settings_set(app, request, body):
    try:
        app.state.update_settings(body)
    except KeyError as e:
        raise ApiError(400, 2000, f"Unknown settings: {e}") from None
    except ValueError as e:
        raise ApiError(400, 2000, str(e)) from None
    return app.state.settings


def c_companies(app, request, body):
    return [_company_summary(app, c) for c in app.state.companies.values()]


def c_company_create(app, request, body):
    s = app.state
    check_choices(body.get("settings") or {})
    c = seed.seed_company(
        s,
        body.get("name", "Uusi Yritys Oy"),
        articles=body.get("articles", 0),
        customers=body.get("customers", 5),
        webshop_orders=body.get("webshop_orders", 0),
        seed=body.get("seed", random.randrange(1 << 30)),
        corporate_id=body.get("corporate_id"),
        company_id=body.get("id"),
        webshop_status=_webshop_status(body.get("webshop_status", 0)),
    )
    c.overrides.update(body.get("settings") or {})
    for username in body.get("users", []):
        if username.lower() in s.users:
            s.users[username.lower()]["companies"].append(c.id)
    return 201, _company_summary(app, c)


def c_company_get(app, request, body, cid):
    return _company_summary(app, _company(app, cid))


def c_company_patch(app, request, body, cid):
    c = _company(app, cid)
    check_choices(body.get("settings") or {})
    c.overrides.update(body.get("settings") or {})
    if body.get("name"):
        c.name = c.settings["Name"] = body["name"]
    return _company_summary(app, c)


def c_company_seed_articles(app, request, body, cid):
    c = _company(app, cid)
    seed.add_articles(app.state, c, int(body.get("count", 100)), random.Random(body.get("seed", 7)))
    return 201, _company_summary(app, c)


def c_company_stock(app, request, body, cid):
    """A manual stock adjustment made in the eAccounting UI (no API exists for this)."""
    s, c = app.state, _company(app, cid)
    a = c.articles.get(body.get("article_id")) or c.find_article_by_number(body.get("number"))
    if a is None:
        raise ApiError(404, 3000, "No such article.")
    new = D(body["balance"]) if "balance" in body else D(a["StockBalance"]) + D(body.get("delta", 0))
    a["StockBalance"] = float(new)
    a["StockBalanceManuallyChangedUtc"] = s.now_str()
    if body.get("bump_changed", True):
        a["ChangedUtc"] = s.now_str()
    return article_view(s, c, a)


HAND_EDITABLE = {"Name", "NameEnglish", "IsActive", "SendToWebshop"}


def c_company_article_edit(app, request, body, cid, number):
    """An article edited in the eAccounting UI (a person's work: no API call, no rate limit)."""
    s, c = app.state, _company(app, cid)
    a = c.find_article_by_number(number)
    if a is None:
        raise ApiError(404, 3000, "No such article.")
    if set(body) - HAND_EDITABLE:
        raise ApiError(
            400,
            4000,
            f"Only {sorted(HAND_EDITABLE)} can be edited here, not {sorted(set(body) - HAND_EDITABLE)}.",
        )
    if len(str(body.get("Name", a["Name"]))) > 50:
        raise ApiError(400, 4000, "Name: at most 50 characters.")
    a.update(body)
    a["ChangedUtc"] = s.now_str()
    return article_view(s, c, a)


INVOICE_HAND_EDITABLE = {"TotalAmount", "TotalVatAmount", "VatSpecification", "YourReference"}


def c_company_invoice_edit(app, request, body, cid, iid):
    """A booked invoice changed by hand in eAccounting (a person's correction, e.g. a row's VAT): the books
    check must notice. Only the booked figures and the reference; the ...InvoiceCurrency twins follow."""
    s, c = app.state, _company(app, cid)
    inv = c.invoices.get(iid)
    if inv is None:
        raise ApiError(404, 3000, "No such invoice.")
    if set(body) - INVOICE_HAND_EDITABLE:
        raise ApiError(
            400,
            4000,
            f"Only {sorted(INVOICE_HAND_EDITABLE)} can be edited here, "
            f"not {sorted(set(body) - INVOICE_HAND_EDITABLE)}.",
        )
    inv.update(body)
    for key in ("TotalAmount", "TotalVatAmount"):
        if key in body:
            inv[f"{key}InvoiceCurrency"] = body[key]
    inv["ModifiedUtc"] = s.now_str()
    return invoice_view(s, c, inv)


def c_company_webshop(app, request, body, cid):
    c = _company(app, cid)
    return 201, make_webshop_order(app.state, c, body)


def c_company_webshop_convert(app, request, body, cid, wid):
    """A person opens the webshop order in eAccounting's UI and invoices it (no API call, no rate limit)."""
    s, c = app.state, _company(app, cid)
    w = c.webshoporders.get(wid)
    if w is None:
        raise ApiError(404, 3000, "No such webshop order (unknown, or converted and removed).")
    return 201, invoice_view(s, c, convert_webshop_order(s, c, w, by_hand=True))


WEBSHOP_STATUSES = {0: "None", 1: "Enabled", 2: "Disabled", 3: "Requested"}


def _webshop_status(value):
    if type(value) is not int or value not in WEBSHOP_STATUSES:  # not True, 2.0 or "2"
        named = ", ".join(f"{k} ({v})" for k, v in WEBSHOP_STATUSES.items())
        raise ApiError(400, 2000, f"VismaWebshopStatus must be one of {named}, not {value!r}.")
    return value


def c_company_webshop_status(app, request, body, cid):
    """The company's Visma Webshop link status (read-only in the API: it changes in eAccounting)."""
    c = _company(app, cid)
    if "VismaWebshopStatus" not in body:
        raise ApiError(400, 2000, 'Send {"VismaWebshopStatus": 0-3}.')
    c.settings["VismaWebshopStatus"] = _webshop_status(body["VismaWebshopStatus"])
    return _company_summary(app, c)


def c_company_resources(app, request, body, cid, kind):
    c = _company(app, cid)
    store = getattr(c, kind, None)
    if not isinstance(store, dict) or kind in ("overrides", "settings"):
        raise ApiError(404, 3000, "No such resource kind.")
    return [{k: v for k, v in o.items() if not k.startswith("_")} for o in store.values()]


def c_users(app, request, body):
    return {u: {"companies": v["companies"], "name": v["name"]} for u, v in app.state.users.items()}


def c_user_create(app, request, body):
    app.state.add_user(body["username"], body["password"], body.get("companies", []), body.get("name"))
    return 201, c_users(app, request, body)


def c_clients(app, request, body):
    return {
        k: {"redirect_uris": v["redirect_uris"], "loopback": v["loopback"]}
        for k, v in app.state.clients.items()
    }


def c_client_create(app, request, body):
    app.state.add_client(
        body["client_id"], body["client_secret"], body.get("redirect_uris", []), body.get("loopback", True)
    )
    return 201, c_clients(app, request, body)


def c_tokens(app, request, body):
    s = app.state
    return [
        {
            "refresh_token": rt,
            "status": t["status"],
            "client_id": t["client_id"],
            "company_id": t["company_id"],
            "user": t["user"],
            "redemptions": s.counters["redemptions"].get(rt, 0),
            "replaced_by": t.get("replaced_by"),
        }
        for rt, t in s.refresh_tokens.items()
    ]


def c_token_create(app, request, body):
    """Mint tokens without the browser flow (for client tests)."""
    s = app.state
    cid = body.get("company_id") or next(iter(s.companies))
    _company(app, cid)
    scope = body.get("scope", "ea:api offline_access ea:sales ea:accounting_readonly ea:purchase_readonly")
    return 201, identity.issue_tokens(s, body.get("client_id", "silta-demo"), body.get("user"), cid, scope)


def c_tokens_expire(app, request, body):
    s = app.state
    past = s.now() - timedelta(seconds=1)
    n = 0
    for at, t in s.access_tokens.items():
        if body.get("all") or at == body.get("access_token") or (body.get("company_id") == t["company_id"]):
            t["expires"], n = past, n + 1
    for rt, t in s.refresh_tokens.items():
        if rt == body.get("refresh_token"):
            t["expires"], n = past, n + 1
    return {"expired": n}


def c_tokens_revoke(app, request, body):
    """Revoke refresh tokens (e.g. a password change): by token, user or company."""
    s, n = app.state, 0
    for rt, t in list(s.refresh_tokens.items()):
        if (
            rt == body.get("refresh_token")
            or (body.get("user") and t["user"] == body["user"])
            or (body.get("company_id") and t["company_id"] == body["company_id"])
            or body.get("all")
        ):
            identity.revoke_refresh(s, rt)
            n += 1
    return {"revoked": n}


def c_counters(app, request, body):
    c = app.state.counters
    return {k: dict(v) for k, v in c.items()}


def c_counters_reset(app, request, body):
    for v in app.state.counters.values():
        v.clear()
    app.state.buckets.clear()
    return c_counters(app, request, body)


def c_requests_get(app, request, body):
    since = int(request.args.get("since", 0))
    prefix = request.args.get("path_prefix", "")
    return [r for r in app.state.requests if r["seq"] > since and r["path"].startswith(prefix)]


def c_requests_clear(app, request, body):
    app.state.requests.clear()
    return []
