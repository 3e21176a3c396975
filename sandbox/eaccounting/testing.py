"""Helpers for tests that talk to the sandbox over HTTP (used by tests/sandbox, reusable by client tests)."""

import base64
import hashlib
import html
import io
import re
import secrets
from collections import Counter
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

from .app import create_app
from .contract import ContractError, load_contract
from .server import start_in_thread

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
DEFAULT_SCOPE = "ea:api offline_access ea:sales ea:accounting_readonly ea:purchase_readonly"
REDIRECT = "http://127.0.0.1:8000/eaccounting/callback"


class ContractRecorder:
    """WSGI middleware: validates the /v2 responses the sandbox sends; violations are collected.

    The first `per_endpoint` responses of each method and path are checked: enough for every shape
    an endpoint answers with, and a load test of thousands of orders is not slowed by validation."""

    def __init__(self, app, contract, per_endpoint=100):
        self.app, self.contract, self.violations = app, contract, []
        self.per_endpoint, self.checked = per_endpoint, Counter()

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if not path.startswith("/v2"):
            return self.app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        req_body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(req_body)
        seen = {}

        def capture(status, headers, exc_info=None):
            seen["status"], seen["headers"] = int(status.split()[0]), dict(headers)
            return start_response(status, headers, exc_info)

        chunks = self.app(environ, capture)  # a ConnectionDropped fault propagates: nothing was sent
        data = b"".join(chunks)
        endpoint = (environ["REQUEST_METHOD"], UUID.sub("{id}", path), seen["status"])
        self.checked[endpoint] += 1
        if self.checked[endpoint] > self.per_endpoint:
            return [data]
        query = environ.get("QUERY_STRING")
        url = f"http://sandbox{path}" + (f"?{query}" if query else "")
        try:
            self.contract.validate_response(
                environ["REQUEST_METHOD"],
                url,
                seen["status"],
                data,
                seen["headers"].get("Content-Type"),
                req_body or None,
            )
        except ContractError as e:
            self.violations.append(str(e))
        return [data]


class Sandbox:
    """A running sandbox (thread) plus JSON helpers. With validate=True every /v2 response the server
    sends is checked against the OpenAPI document server-side (close() fails on violations) and
    sessions from .session()/.api() also check each response client-side as it arrives."""

    def __init__(self, settings=None, validate=True):
        self.app = create_app(settings)
        self.state = self.app.state
        self.contract = load_contract() if validate else None
        self.recorder = ContractRecorder(self.app, self.contract) if validate else None
        self.server, self.base = start_in_thread(app=self.recorder or self.app)

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.assert_contract()

    def assert_contract(self):
        if self.recorder and self.recorder.violations:
            found, self.recorder.violations = self.recorder.violations, []
            raise ContractError(f"{len(found)} responses broke the contract:\n" + "\n".join(found[:5]))

    def control(self, method, path, json=None, expect=(200, 201)):
        r = requests.request(method, f"{self.base}/_sandbox/{path.lstrip('/')}", json=json, timeout=10)
        assert r.status_code in expect, f"{method} {path}: {r.status_code} {r.text[:500]}"
        return r.json() if r.content else None

    def settings(self, **values):
        return self.control("PATCH", "settings", values)

    def companies(self):
        return self.control("GET", "companies")

    def token(self, company_id=None, scope=DEFAULT_SCOPE, client_id="silta-demo"):
        return self.control(
            "POST", "tokens", {"company_id": company_id, "scope": scope, "client_id": client_id}
        )

    def session(self, access_token=None, validate_requests=False):
        s = requests.Session()
        if self.contract is not None:
            s.hooks["response"].append(self.contract.hook(request=validate_requests))
        if access_token:
            s.headers["Authorization"] = f"Bearer {access_token}"
        return s

    def api(self, company_id=None, scope=DEFAULT_SCOPE, client_id="silta-demo", validate_requests=False):
        """A Session bound to one company; .v2(path) builds URLs; .tokens holds the token answer."""
        tokens = self.token(company_id, scope, client_id)
        s = self.session(tokens["access_token"], validate_requests)
        s.tokens = tokens
        s.v2 = lambda path: f"{self.base}/v2/{path.lstrip('/')}"
        return s


def pkce_pair():
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def browser_login(
    base,
    username="demo@example.com",
    password="demo",
    company_name=None,
    client_id="silta-demo",
    redirect_uri=REDIRECT,
    scope=DEFAULT_SCOPE,
    state="xyz",
    code_challenge=None,
    challenge_method="S256",
    cancel_at=None,
):
    """Drive the HTML login like a user; returns the query of the final redirect (dict of str)."""
    http = requests.Session()
    params = {
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": scope,
        "state": state,
        "response_type": "code",
        "prompt": "select_account",
        "acr_values": "service:44643EB1-3F76-4C1C-A672-402AE8085934 forceselectcompany:true",
    }
    if code_challenge:
        params.update(code_challenge=code_challenge, code_challenge_method=challenge_method)
    page = http.get(f"{base}/connect/authorize?{urlencode(params)}", allow_redirects=False)
    assert page.status_code == 200, page.text
    txn = re.search(r'name="txn" value="([^"]+)"', page.text).group(1)
    action = "cancel" if cancel_at == "login" else "login"
    r = http.post(
        f"{base}/connect/authorize/login",
        allow_redirects=False,
        data={"txn": txn, "username": username, "password": password, "action": action},
    )
    if r.status_code == 302:
        return _query(r)
    assert "company_id" in r.text, r.text
    options = dict(
        (html.unescape(name), cid)
        for cid, name in re.findall(
            r'value="([0-9a-f-]{36})"[^>]*> <span class="company-name">([^<]+)</span>', r.text
        )
    )
    cid = options[company_name] if company_name else next(iter(options.values()))
    action = "cancel" if cancel_at == "company" else "select"
    r = http.post(
        f"{base}/connect/authorize/company",
        allow_redirects=False,
        data={"txn": txn, "company_id": cid, "action": action},
    )
    assert r.status_code == 302, r.text
    return _query(r)


def _query(resp):
    loc = resp.headers["Location"]
    return {k: v[0] for k, v in parse_qs(urlsplit(loc).query).items()} | {"_location": loc}
