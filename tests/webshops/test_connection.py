"""test_connection and the client's transport rules: keys, permissions, wrong addresses, TLS, http."""

from __future__ import annotations

import datetime as dt
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from integration.webshops.base import (
    AuthenticationFailed,
    InsecureURL,
    NotAShop,
    ProductWrite,
    ReadOnlyKey,
    ShopInfo,
    ShopUnavailable,
    TLSFailure,
    WebshopError,
)
from integration.webshops.woocommerce import WooCommerce
from sandbox.eaccounting.testing import Sandbox as EAccountingSandbox
from sandbox.woocommerce.testing import Receiver

from .conftest import last_seq, make_shop


def test_good_key(sb, key):
    since = last_seq(sb)
    info = make_shop(sb, key).test_connection()
    assert info == ShopInfo(
        currency="EUR",
        taxes_enabled=True,
        prices_include_tax=True,
        product_count=sb.control("GET", "/health")["products"],
    )
    log = sb.requests_log(since=since)
    assert [(e["method"], e["path"]) for e in log] == [
        ("GET", "/wp-json/wc/v3/settings/general"),
        ("GET", "/wp-json/wc/v3/settings/tax"),
        ("GET", "/wp-json/wc/v3/products"),
        ("POST", "/wp-json/wc/v3/products/batch"),
    ]
    assert all(e["status"] == 200 and e["auth"] == "basic" for e in log)
    assert log[-1]["json"] == {}  # the write probe changes nothing


def test_settings_follow_the_shop(sb, key):
    sb.control("PATCH", "/settings", {"prices_include_tax": False, "currency": "SEK"})
    try:
        info = make_shop(sb, key).settings()
        assert (info.currency, info.prices_include_tax) == ("SEK", False)
    finally:
        sb.control("PATCH", "/settings", {"prices_include_tax": True, "currency": "EUR"})


def test_wrong_secret(sb, key):
    with pytest.raises(AuthenticationFailed) as exc:
        make_shop(sb, (key[0], "cs_wrong")).test_connection()
    assert "Consumer secret is invalid" in str(exc.value) and exc.value.status == 401
    with pytest.raises(AuthenticationFailed, match="Consumer key is invalid"):
        make_shop(sb, ("ck_unknown", "cs_unknown")).test_connection()


def test_read_only_key(sb):
    shop = make_shop(sb, sb.key("read"))
    with pytest.raises(ReadOnlyKey) as exc:
        shop.test_connection()
    assert "Read/Write" in str(exc.value)
    assert shop.settings().currency == "EUR"  # reading is fine


def test_write_only_key_cannot_read(sb):
    with pytest.raises(AuthenticationFailed, match="read permissions"):
        make_shop(sb, sb.key("write")).test_connection()


def test_query_string_auth(sb, key):
    since = last_seq(sb)
    assert make_shop(sb, key, query_string_auth=True).test_connection().currency == "EUR"
    log = sb.requests_log(since=since)
    assert log and all(e["auth"] == "query" and e["query"]["consumer_secret"] == "***" for e in log)


def test_oauth_over_plain_http(sb, key):
    """A real WooCommerce accepts only OAuth 1.0a over http://; the sandbox checks signatures and nonces."""
    shop = make_shop(sb, key, oauth=True)
    since = last_seq(sb)
    assert shop.test_connection().currency == "EUR"
    assert (
        len(list(shop.orders(statuses=["processing", "completed"]))) > 0
    )  # params with commas are signed too
    assert shop.save_products([ProductWrite(sku="OAUTH-1", name="Allekirjoitettu", status="draft")])[0].ok
    log = sb.requests_log(since=since)
    assert log and all(
        e["status"] == 200 and e["auth"] is None and "oauth_signature" in e["query"] for e in log
    )
    with pytest.raises(AuthenticationFailed, match="signature"):
        make_shop(sb, (key[0], "cs_wrong"), oauth=True).test_connection()


def test_a_bare_http_server_is_not_a_shop():
    with Receiver() as rx:  # answers 200 "ok" (text) to everything
        with pytest.raises(NotAShop) as exc:
            WooCommerce(rx.url, "ck", "cs").test_connection()
    assert rx.url in str(exc.value)


def test_the_eaccounting_sandbox_is_not_a_shop():
    ea = EAccountingSandbox(validate=False)
    try:
        with pytest.raises(NotAShop):
            WooCommerce(ea.base, "ck", "cs").test_connection()
    finally:
        ea.close()


def test_wordpress_without_woocommerce_is_not_a_shop(sb, key):
    # the sandbox's own 404 page for a non-REST path, and WordPress's rest_no_route
    with pytest.raises(NotAShop):
        WooCommerce(sb.url + "/blog", key[0], key[1]).test_connection()
    shop = make_shop(sb, key)
    with pytest.raises(NotAShop, match="WooCommerce REST API"):
        shop.client.get("no/such/route")


class NoNetwork(requests.Session):
    def request(self, *args, **kwargs):
        raise AssertionError("no network call may be made")


@pytest.mark.parametrize("url", ["http://example.com", "http://shop.example.fi/", "ftp://shop.example.fi"])
def test_plain_http_to_a_public_host_is_refused_without_network(url):
    shop = WooCommerce(url, "ck", "cs", session=NoNetwork())
    with pytest.raises(InsecureURL) as exc:
        shop.test_connection()
    assert shop.client.requests_made == 0
    assert "cs" not in str(exc.value).replace("https", "")


def test_http_allowed_hosts_come_from_settings(settings, sb, key):
    settings.WEBSHOP_ALLOW_HTTP_HOSTS = ["localhost"]
    with pytest.raises(InsecureURL):
        make_shop(sb, key).test_connection()  # 127.0.0.1 no longer allowed
    settings.WEBSHOP_ALLOW_HTTP_HOSTS = ["127.0.0.1"]
    assert make_shop(sb, key).test_connection().currency == "EUR"


def test_unreachable_shop():
    with Receiver() as rx:
        url = rx.url
    shop = WooCommerce(url, "ck", "cs_topsecret", query_string_auth=True, backoff=0.01, max_attempts=2)
    with pytest.raises(ShopUnavailable) as exc:
        shop.test_connection()
    assert "cannot be reached" in str(exc.value) and "cs_topsecret" not in str(exc.value)
    assert shop.client.requests_made == 2


def test_a_create_that_never_left_is_sent_again():
    with Receiver() as rx:
        url = rx.url
    shop = WooCommerce(url, "ck", "cs", backoff=0.01, max_attempts=3)
    with pytest.raises(ShopUnavailable) as exc:
        shop.save_products([ProductWrite(sku="A", name="A")])
    assert (
        not exc.value.outcome_unknown and exc.value.unknown_skus == []
    )  # connection refused: surely not saved
    assert shop.client.requests_made == 3


# ---------------------------------------------------------------------- TLS
def _self_signed(tmp_path):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_file, key_file


class _Hello(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"[]")

    def log_message(self, *args):
        pass


def test_untrusted_certificate_is_a_tls_failure(tmp_path):
    cert_file, key_file = _self_signed(tmp_path)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert_file, key_file)
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        shop = WooCommerce(f"https://localhost:{httpd.server_port}", "ck", "cs", backoff=0.01)
        with pytest.raises(TLSFailure) as exc:
            shop.test_connection()
        assert "certificate verify failed: self-signed certificate" in str(exc.value)
        assert shop.client.requests_made == 1  # not retried
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_errors_are_webshop_errors():
    for cls in (AuthenticationFailed, ReadOnlyKey, NotAShop, TLSFailure, InsecureURL, ShopUnavailable):
        assert issubclass(cls, WebshopError)
