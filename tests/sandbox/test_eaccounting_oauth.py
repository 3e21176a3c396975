"""Login server: code flow with PKCE through the HTML pages, rotation, revocation, redemption counts, faults."""

import pytest
import requests

from sandbox.eaccounting.testing import REDIRECT, browser_login, pkce_pair

CLIENT = ("silta-demo", "silta-demo-secret")


SANDBOX = "eaccounting"


def token(sb, auth=CLIENT, **form):
    return requests.post(f"{sb.base}/connect/token", data=form, auth=auth, timeout=10)


def login_code(sb, **kw):
    verifier, challenge = pkce_pair()
    q = browser_login(sb.base, code_challenge=challenge, **kw)
    return q, verifier


def test_code_flow_with_pkce_binds_token_to_picked_company(sb):
    q, verifier = login_code(sb, company_name="Puuseppä Virtanen Tmi", state="s-123")
    assert q["state"] == "s-123" and q["_location"].startswith(REDIRECT)
    r = token(
        sb, grant_type="authorization_code", code=q["code"], redirect_uri=REDIRECT, code_verifier=verifier
    )
    assert r.status_code == 200, r.text
    t = r.json()
    assert t["token_type"] == "Bearer" and t["expires_in"] == 3600 and t["refresh_token"]
    assert set(t["scope"].split()) == {
        "ea:api",
        "offline_access",
        "ea:sales",
        "ea:accounting_readonly",
        "ea:purchase_readonly",
    }
    settings = sb.session(t["access_token"]).get(f"{sb.base}/v2/companysettings").json()
    assert settings["Name"] == "Puuseppä Virtanen Tmi"
    # the code is one-time
    again = token(
        sb, grant_type="authorization_code", code=q["code"], redirect_uri=REDIRECT, code_verifier=verifier
    )
    assert again.status_code == 400 and again.json() == {"error": "invalid_grant"}


def test_company_picker_lists_the_users_three_companies(sb):
    page = requests.get(
        f"{sb.base}/connect/authorize",
        params={
            "client_id": "silta-demo",
            "redirect_uri": REDIRECT,
            "response_type": "code",
            "scope": "ea:api",
            "state": "x",
        },
    )
    txn = page.text.split('name="txn" value="')[1].split('"')[0]
    r = requests.post(
        f"{sb.base}/connect/authorize/login",
        data={"txn": txn, "username": "demo@example.com", "password": "demo", "action": "login"},
    )
    for name in ("Kahvila Aurinko Oy", "Puuseppä Virtanen Tmi", "Tekniikkatalo Oy"):
        assert name in r.text


def test_pkce_and_redirect_uri_are_checked(sb):
    q, verifier = login_code(sb)
    bad = token(
        sb, grant_type="authorization_code", code=q["code"], redirect_uri=REDIRECT, code_verifier="wrong"
    )
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_grant"
    q, verifier = login_code(sb)
    bad = token(
        sb,
        grant_type="authorization_code",
        code=q["code"],
        redirect_uri="http://127.0.0.1:9/other",
        code_verifier=verifier,
    )
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_grant"


def test_plain_pkce_and_client_secret_post(sb):
    q = browser_login(
        sb.base, code_challenge="plain-verifier-plain-verifier-plain-verifier", challenge_method="plain"
    )
    r = token(
        sb,
        auth=None,
        grant_type="authorization_code",
        code=q["code"],
        redirect_uri=REDIRECT,
        code_verifier="plain-verifier-plain-verifier-plain-verifier",
        client_id="silta-demo",
        client_secret="silta-demo-secret",
    )
    assert r.status_code == 200, r.text


def test_bad_client_auth_is_invalid_client(sb):
    q, verifier = login_code(sb)
    r = token(
        sb,
        auth=("silta-demo", "nope"),
        grant_type="authorization_code",
        code=q["code"],
        redirect_uri=REDIRECT,
        code_verifier=verifier,
    )
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"


def test_wrong_password_shows_form_again_and_cancel_redirects_access_denied(sb):
    page = requests.get(
        f"{sb.base}/connect/authorize",
        params={
            "client_id": "silta-demo",
            "redirect_uri": REDIRECT,
            "response_type": "code",
            "scope": "ea:api",
            "state": "x",
        },
    )
    txn = page.text.split('name="txn" value="')[1].split('"')[0]
    r = requests.post(
        f"{sb.base}/connect/authorize/login",
        data={"txn": txn, "username": "demo@example.com", "password": "bad", "action": "login"},
    )
    assert r.status_code == 200 and "Wrong email or password" in r.text
    q = browser_login(sb.base, cancel_at="login", state="c1")
    assert q["error"] == "access_denied" and q["state"] == "c1"
    q = browser_login(sb.base, cancel_at="company", state="c2")
    assert q["error"] == "access_denied" and q["state"] == "c2"


def test_unregistered_redirect_uri_and_unknown_client_are_not_redirected(sb):
    for params in (
        {"client_id": "silta-demo", "redirect_uri": "https://evil.example/cb"},
        {"client_id": "nobody", "redirect_uri": REDIRECT},
    ):
        r = requests.get(
            f"{sb.base}/connect/authorize",
            allow_redirects=False,
            params=dict(params, response_type="code", scope="ea:api"),
        )
        assert r.status_code == 400 and "Location" not in r.headers


def test_refresh_rotates_and_old_refresh_token_is_dead(sb):
    q, verifier = login_code(sb)
    t1 = token(
        sb, grant_type="authorization_code", code=q["code"], redirect_uri=REDIRECT, code_verifier=verifier
    ).json()
    r = token(sb, grant_type="refresh_token", refresh_token=t1["refresh_token"])
    assert r.status_code == 200
    t2 = r.json()
    assert t2["refresh_token"] != t1["refresh_token"] and t2["access_token"] != t1["access_token"]
    old = token(sb, grant_type="refresh_token", refresh_token=t1["refresh_token"])
    assert old.status_code == 400 and old.json() == {"error": "invalid_grant"}
    assert token(sb, grant_type="refresh_token", refresh_token=t2["refresh_token"]).status_code == 200
    assert token(sb, grant_type="refresh_token", refresh_token="unknown").json()["error"] == "invalid_grant"
    counts = sb.control("GET", "counters")["redemptions"]
    assert counts[t1["refresh_token"]] == 2 and counts[t2["refresh_token"]] == 1
    listed = {t["refresh_token"]: t for t in sb.control("GET", "tokens")}
    assert (
        listed[t1["refresh_token"]]["status"] == "used"
        and listed[t1["refresh_token"]]["replaced_by"] == t2["refresh_token"]
    )


def test_exactly_one_redemption_is_observable(sb):
    t = sb.token()
    assert token(sb, grant_type="refresh_token", refresh_token=t["refresh_token"]).status_code == 200
    assert sb.control("GET", "counters")["redemptions"][t["refresh_token"]] == 1


def test_revocation_kills_refresh_and_its_access_token(sb):
    t = sb.token()
    api = sb.session(t["access_token"])
    assert api.get(f"{sb.base}/v2/units").status_code == 200
    r = requests.post(f"{sb.base}/connect/revocation", data={"token": t["refresh_token"]}, auth=CLIENT)
    assert r.status_code == 200
    assert (
        token(sb, grant_type="refresh_token", refresh_token=t["refresh_token"]).json()["error"]
        == "invalid_grant"
    )
    r = api.get(f"{sb.base}/v2/units")
    assert r.status_code == 401 and r.json()["ErrorCode"] == 4005


def test_expired_access_and_refresh_tokens(sb):
    sb.settings(token_lifetime=1, refresh_token_lifetime=3600)
    t = sb.token()
    assert t["expires_in"] == 1
    sb.control(
        "POST", "tokens/expire", {"access_token": t["access_token"], "refresh_token": t["refresh_token"]}
    )
    assert sb.session(t["access_token"]).get(f"{sb.base}/v2/units").status_code == 401
    assert (
        token(sb, grant_type="refresh_token", refresh_token=t["refresh_token"]).json()["error"]
        == "invalid_grant"
    )
    assert sb.session().get(f"{sb.base}/v2/units").status_code == 401  # no token at all


def test_no_offline_access_means_no_refresh_token(sb):
    q, verifier = login_code(sb, scope="ea:api ea:sales")
    t = token(
        sb, grant_type="authorization_code", code=q["code"], redirect_uri=REDIRECT, code_verifier=verifier
    ).json()
    assert "refresh_token" not in t


def test_dropped_token_answer_commits_the_rotation(sb):
    t = sb.token()
    sb.settings(drop_token_response=1)
    with pytest.raises(requests.ConnectionError):
        token(sb, grant_type="refresh_token", refresh_token=t["refresh_token"])
    # the rotation happened although the caller never saw the new token
    retry = token(sb, grant_type="refresh_token", refresh_token=t["refresh_token"])
    assert retry.status_code == 400 and retry.json()["error"] == "invalid_grant"
    listed = {x["refresh_token"]: x for x in sb.control("GET", "tokens")}
    assert listed[t["refresh_token"]]["status"] == "used" and listed[t["refresh_token"]]["replaced_by"]
    assert sb.control("GET", "counters")["faults"]["token answer dropped"] == 1


def test_discovery_document(sb):
    d = requests.get(f"{sb.base}/.well-known/openid-configuration").json()
    assert (
        d["token_endpoint"] == f"{sb.base}/connect/token" and "S256" in d["code_challenge_methods_supported"]
    )


def test_missing_scope_is_4006(sb):
    t = sb.token(scope="ea:api offline_access ea:sales")  # no accounting scope
    r = sb.session(t["access_token"]).get(f"{sb.base}/v2/vatcodes")
    assert r.status_code == 403 and r.json()["ErrorCode"] == 4006
    ro = sb.token(scope="ea:api ea:sales_readonly")
    s = sb.session(ro["access_token"])
    assert s.get(f"{sb.base}/v2/articles").status_code == 200
    assert s.post(f"{sb.base}/v2/deliverymethods", json={"Name": "X"}).status_code == 403


def test_racing_refreshes_redeem_once(sb):
    import threading

    t = sb.token()
    results = []

    def redeem():
        results.append(token(sb, grant_type="refresh_token", refresh_token=t["refresh_token"]).status_code)

    threads = [threading.Thread(target=redeem) for _ in range(5)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(results) == [200, 400, 400, 400, 400]
    assert sb.control("GET", "counters")["redemptions"][t["refresh_token"]] == 5
