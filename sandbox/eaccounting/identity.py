"""The login server: /connect/authorize (HTML sign-in + company picker), /connect/token, /connect/revocation."""

import base64
import hashlib
import html
import secrets
from datetime import timedelta
from urllib.parse import unquote, urlencode, urlsplit

from werkzeug.utils import redirect

from . import faults
from .http import json_response
from .state import new_id

SCOPES = "ea:api offline_access ea:sales ea:sales_readonly ea:accounting ea:accounting_readonly ea:purchase ea:purchase_readonly"


def discovery(state, base):
    return json_response(
        {
            "issuer": base,
            "authorization_endpoint": base + "/connect/authorize",
            "token_endpoint": base + "/connect/token",
            "revocation_endpoint": base + "/connect/revocation",
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["plain", "S256"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "response_types_supported": ["code"],
            "scopes_supported": SCOPES.split(),
        }
    )


def _page(title, body, status=200):
    from werkzeug.wrappers import Response

    doc = (
        f"<!doctype html><html lang='fi'><head><meta charset='utf-8'><title>{html.escape(title)}</title></head>"
        f"<body><h1>{html.escape(title)}</h1>{body}<p><small>Silta sandbox — Visma Online login stand-in</small></p>"
        "</body></html>"
    )
    return Response(doc, status=status, content_type="text/html; charset=utf-8")


def redirect_allowed(state, client, uri):
    if uri in client["redirect_uris"]:
        return True
    parts = urlsplit(uri)
    return bool(
        client["loopback"]
        and state.settings["redirect_loopback_any_port"]
        and parts.scheme == "http"
        and parts.hostname in ("127.0.0.1", "localhost")
    )


def _back(uri, **params):
    sep = "&" if "?" in uri else "?"
    return redirect(uri + sep + urlencode({k: v for k, v in params.items() if v is not None}), code=302)


def authorize(state, request):
    a = request.args
    client = state.clients.get(a.get("client_id", ""))
    uri = a.get("redirect_uri", "")
    if client is None:
        return _page("Virhe / Error", "<p>invalid_client: unknown client_id</p>", 400)
    if not redirect_allowed(state, client, uri):
        return _page(
            "Virhe / Error", "<p>invalid_request: redirect_uri is not registered for this client</p>", 400
        )
    if a.get("response_type") != "code":
        return _back(uri, error="unsupported_response_type", state=a.get("state"))
    method = a.get("code_challenge_method") or ("plain" if a.get("code_challenge") else None)
    if method not in (None, "plain", "S256"):
        return _back(
            uri, error="invalid_request", error_description="code_challenge_method", state=a.get("state")
        )
    scope = " ".join(s for s in a.get("scope", "").split() if s in SCOPES.split())
    txn = secrets.token_urlsafe(16)
    state.pending[txn] = {
        "client_id": a["client_id"],
        "redirect_uri": uri,
        "scope": scope,
        "state": a.get("state"),
        "challenge": a.get("code_challenge"),
        "method": method,
        "prompt": a.get("prompt"),
        "acr_values": a.get("acr_values"),
        "user": None,
    }
    return _login_form(txn)


def _login_form(txn, error=None):
    err = f"<p class='error' role='alert'>{html.escape(error)}</p>" if error else ""
    return _page(
        "Kirjaudu sisään / Sign in",
        f"""{err}
<form method="post" action="/connect/authorize/login">
  <input type="hidden" name="txn" value="{txn}">
  <label>Sähköposti / Email <input type="email" name="username" autocomplete="username"></label>
  <label>Salasana / Password <input type="password" name="password" autocomplete="current-password"></label>
  <button type="submit" name="action" value="login">Kirjaudu / Sign in</button>
  <button type="submit" name="action" value="cancel">Peruuta / Cancel</button>
</form>""",
    )


def _company_form(state, txn, user):
    items = []
    for i, cid in enumerate(user["companies"]):
        c = state.companies.get(cid)
        if c is None:
            continue
        cin = html.escape(c.settings.get("CorporateIdentityNumber") or "")
        checked = " checked" if i == 0 else ""
        items.append(
            f'<li><label><input type="radio" name="company_id" value="{cid}"{checked}> '
            f'<span class="company-name">{html.escape(c.name)}</span> ({cin})</label></li>'
        )
    return _page(
        "Valitse yritys / Select company",
        f"""
<form method="post" action="/connect/authorize/company">
  <input type="hidden" name="txn" value="{txn}">
  <ul>{"".join(items)}</ul>
  <button type="submit" name="action" value="select">Jatka / Continue</button>
  <button type="submit" name="action" value="cancel">Peruuta / Cancel</button>
</form>""",
    )


def login(state, request):
    f = request.form
    txn = state.pending.get(f.get("txn", ""))
    if txn is None:
        return _page("Virhe / Error", "<p>The sign-in session has expired. Start again.</p>", 400)
    if f.get("action") == "cancel":
        state.pending.pop(f["txn"], None)
        return _back(txn["redirect_uri"], error="access_denied", state=txn["state"])
    user = state.users.get(f.get("username", "").strip().lower())
    if user is None or not secrets.compare_digest(user["password"], f.get("password", "")):
        return _login_form(f["txn"], "Väärä sähköposti tai salasana / Wrong email or password")
    txn["user"] = f["username"].strip().lower()
    return _company_form(state, f["txn"], user)


def pick_company(state, request):
    f = request.form
    txn = state.pending.get(f.get("txn", ""))
    if txn is None or txn["user"] is None:
        return _page("Virhe / Error", "<p>The sign-in session has expired. Start again.</p>", 400)
    if f.get("action") == "cancel":
        state.pending.pop(f["txn"], None)
        return _back(txn["redirect_uri"], error="access_denied", state=txn["state"])
    user = state.users[txn["user"]]
    cid = f.get("company_id")
    if cid not in user["companies"]:
        return _company_form(state, f["txn"], user)
    state.pending.pop(f["txn"], None)
    code = secrets.token_urlsafe(32)
    state.codes[code] = dict(
        txn,
        company_id=cid,
        used=False,
        expires=state.now() + timedelta(seconds=state.settings["code_lifetime"]),
    )
    return _back(txn["redirect_uri"], code=code, state=txn["state"])


# -- token endpoint ------------------------------------------------------------------------------------
def _oauth_error(error, status=400, description=None):
    body = {"error": error}
    if description:
        body["error_description"] = description
    headers = {"WWW-Authenticate": 'Basic realm="identity"'} if status == 401 else None
    resp = json_response(body, status, headers)
    resp.headers["Cache-Control"] = "no-store"
    return resp


def client_auth(state, request):
    cid, secret = request.form.get("client_id"), request.form.get("client_secret")
    header = request.headers.get("Authorization", "")
    if header[:6].lower() == "basic ":
        try:
            raw = base64.b64decode(header[6:].strip()).decode()
            cid, secret = (unquote(x) for x in raw.split(":", 1))
        except (ValueError, UnicodeDecodeError):
            return None
    client = state.clients.get(cid or "")
    if client is None or secret is None or not secrets.compare_digest(client["secret"], secret):
        return None
    return cid


def issue_tokens(state, client_id, username, company_id, scope, grant=None):
    """`grant`: the login these tokens descend from (a refresh keeps it; revocation ends all of it)."""
    now = state.now()
    at, rt, grant = secrets.token_urlsafe(32), None, grant or new_id()
    state.access_tokens[at] = {
        "client_id": client_id,
        "company_id": company_id,
        "scope": scope,
        "user": username,
        "expires": now + timedelta(seconds=state.settings["token_lifetime"]),
        "revoked": False,
        "grant": grant,
    }
    body = {
        "access_token": at,
        "token_type": "Bearer",
        "expires_in": int(state.settings["token_lifetime"]),
        "scope": scope,
    }
    if "offline_access" in scope.split():
        rt = secrets.token_urlsafe(32)
        life = state.settings["refresh_token_lifetime"]
        state.refresh_tokens[rt] = {
            "client_id": client_id,
            "company_id": company_id,
            "scope": scope,
            "user": username,
            "status": "active",
            "created": now,
            "access_tokens": [at],
            "id": new_id(),
            "grant": grant,
            "expires": now + timedelta(seconds=life) if life else None,
        }
        body["refresh_token"] = rt
    return body


def _pkce_ok(grant, verifier):
    if not grant["challenge"]:
        return True
    if not verifier:
        return False
    if grant["method"] == "S256":
        digest = hashlib.sha256(verifier.encode()).digest()
        verifier = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    return secrets.compare_digest(verifier, grant["challenge"])


def token(state, request):
    """Returns (response, drop): drop=True means close the connection without answering."""
    f = request.form
    grant_type = f.get("grant_type")
    state.counters["token"][grant_type or "none"] += 1
    client_id = client_auth(state, request)
    if client_id is None:
        return _oauth_error("invalid_client", 401), False
    if grant_type == "authorization_code":
        code = f.get("code", "")
        grant = state.codes.get(code)
        state.counters["redemptions"]["code:" + code[:12]] += 1
        if (
            grant is None
            or grant["used"]
            or grant["client_id"] != client_id
            or grant["expires"] <= state.now()
        ):
            return _oauth_error("invalid_grant"), False
        if f.get("redirect_uri") != grant["redirect_uri"]:
            return _oauth_error("invalid_grant", description="redirect_uri mismatch"), False
        if not _pkce_ok(grant, f.get("code_verifier")):
            return _oauth_error("invalid_grant", description="PKCE verification failed"), False
        grant["used"] = True
        body = issue_tokens(state, client_id, grant["user"], grant["company_id"], grant["scope"])
    elif grant_type == "refresh_token":
        rt = f.get("refresh_token", "")
        state.counters["redemptions"][rt] += 1
        old = state.refresh_tokens.get(rt)
        if (
            old is None
            or old["status"] != "active"
            or old["client_id"] != client_id
            or (old["expires"] is not None and old["expires"] <= state.now())
        ):
            return _oauth_error("invalid_grant"), False
        old["status"] = "used"
        body = issue_tokens(state, client_id, old["user"], old["company_id"], old["scope"], old.get("grant"))
        old["replaced_by"] = body.get("refresh_token")
    else:
        return _oauth_error("unsupported_grant_type"), False
    resp = json_response(body)
    resp.headers["Cache-Control"] = "no-store"
    return resp, faults.drop_token_response(state)


def revoke_refresh(state, rt):
    """End the whole grant (RFC 7009 §2.1): this refresh token, the rest of its rotation chain and
    every access token issued from it, not only the ones issued with this refresh token."""
    t = state.refresh_tokens.get(rt)
    if t is None:
        return False
    t["status"] = "revoked"
    grant = t.get("grant")
    for other in state.refresh_tokens.values():
        if grant is not None and other["status"] == "active" and other.get("grant") == grant:
            other["status"] = "revoked"
    for at, a in state.access_tokens.items():
        if at in t["access_tokens"] or (grant is not None and a.get("grant") == grant):
            a["revoked"] = True
    return True


def revocation(state, request):
    client_id = client_auth(state, request)
    if client_id is None:
        return _oauth_error("invalid_client", 401)
    tok = request.form.get("token", "")
    rt = state.refresh_tokens.get(tok)
    if rt is not None and rt["client_id"] == client_id:
        revoke_refresh(state, tok)
    at = state.access_tokens.get(tok)
    if at is not None and at["client_id"] == client_id:
        at["revoked"] = True
    return json_response(None, 200)
