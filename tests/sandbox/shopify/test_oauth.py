"""The app install flow (authorization code grant) of the Shopify sandbox."""

import hashlib
import hmac
from urllib.parse import parse_qsl, urlsplit

import requests

CLIENT_ID, SECRET = "silta-sandbox-app", "silta-sandbox-secret"
REDIRECT = "https://silta.example/shopify/callback"


def _install(sb, scope="read_products,read_orders", state="st-123"):
    params = {"client_id": CLIENT_ID, "scope": scope, "redirect_uri": REDIRECT, "state": state}
    page = requests.get(f"{sb.url}/admin/oauth/authorize", params=params, timeout=10)
    assert page.status_code == 200 and "Install app" in page.text and scope.split(",")[-1] in page.text
    r = requests.post(
        f"{sb.url}/admin/oauth/authorize",
        data={**params, "decision": "install"},
        allow_redirects=False,
        timeout=10,
    )
    assert r.status_code == 302
    location = urlsplit(r.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    return dict(parse_qsl(location.query))


def test_approval_redirects_with_a_signed_code(sb, fresh):
    q = _install(sb)
    assert set(q) == {"code", "hmac", "shop", "state", "timestamp"}
    assert q["state"] == "st-123" and q["shop"] == "silta-sandbox.myshopify.com"
    message = "&".join(f"{k}={v}" for k, v in sorted(q.items()) if k != "hmac")
    assert q["hmac"] == hmac.new(SECRET.encode(), message.encode(), hashlib.sha256).hexdigest()


def test_the_code_is_exchanged_once_for_a_token_with_the_scopes_asked(sb, fresh):
    q = _install(sb, scope="read_products")
    body = {"client_id": CLIENT_ID, "client_secret": SECRET, "code": q["code"]}
    r = requests.post(f"{sb.url}/admin/oauth/access_token", json=body, timeout=10)
    assert r.status_code == 200 and r.json()["scope"] == "read_products"
    token = r.json()["access_token"]
    assert sb.graphql("{ shop { name } }", token=token).status_code == 200
    assert (
        sb.graphql("{ orders(first: 1) { nodes { id } } }", token=token).json()["errors"][0]["extensions"][
            "code"
        ]
        == "ACCESS_DENIED"
    )
    again = requests.post(f"{sb.url}/admin/oauth/access_token", json=body, timeout=10)
    assert again.status_code == 400


def test_a_wrong_client_secret_gets_no_token(sb, fresh):
    q = _install(sb)
    r = requests.post(
        f"{sb.url}/admin/oauth/access_token",
        json={"client_id": CLIENT_ID, "client_secret": "nope", "code": q["code"]},
        timeout=10,
    )
    assert r.status_code == 400 and "access_token" not in r.json()


def test_an_unknown_app_is_refused(sb, fresh):
    r = requests.get(
        f"{sb.url}/admin/oauth/authorize",
        params={"client_id": "other", "scope": "read_products", "redirect_uri": REDIRECT},
        timeout=10,
    )
    assert r.status_code == 400
