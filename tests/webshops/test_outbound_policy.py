"""The outbound-HTTP policy: a tenant-supplied address that is not public is refused before any
connection is made — asserted at the socket level — and the allow-listed sandbox still works.

No traffic may leave this machine: every socket connect is watched, and one to an address that is
not loopback fails the test (the policy must refuse first).
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from integration.net import outbound
from integration.net.address_policy import AddressKind, classify
from integration.webshops.base import AddressRefused, InsecureURL
from integration.webshops.woocommerce import WooCommerce

from .conftest import make_shop

pytestmark = pytest.mark.slow

STRICT = outbound.Policy()  # no allow-lists: what production does


@pytest.fixture(autouse=True)
def only_loopback_connects(monkeypatch) -> list:
    """Every connect() in the test; one to a non-loopback address fails it before leaving the host."""
    seen: list = []
    real_connect = socket.socket.connect

    def guarded(sock, address):
        host = address[0] if isinstance(address, tuple) else str(address)
        if not ipaddress.ip_address(host.split("%")[0]).is_loopback:
            pytest.fail(f"a connection to {address} was attempted: the policy must refuse before connecting")
        seen.append(address)
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    return seen


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A listening socket on 127.0.0.1 that must see no connection."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.settimeout(0.3)
    yield sock
    sock.close()


def no_connection(sock: socket.socket) -> bool:
    try:
        conn, _ = sock.accept()
    except TimeoutError:
        return True
    conn.close()
    return False


def loopback_spellings(port: int) -> list[str]:
    return [
        f"https://127.0.0.1:{port}/",
        f"https://localhost:{port}/",
        f"https://LOCALHOST.:{port}/",
        f"https://2130706433:{port}/",
        f"https://0177.0.0.1:{port}/",
        f"https://0x7f.1:{port}/",
        f"https://0x7f000001:{port}/",
        f"https://127.1:{port}/",
        f"https://[::1]:{port}/",
        f"https://[::ffff:127.0.0.1]:{port}/",
        f"https://[::ffff:7f00:1]:{port}/",
        f"https://[::127.0.0.1]:{port}/",
        f"https://[2002:7f00:1::]:{port}/",
        f"https://[64:ff9b::7f00:1]:{port}/",
        f"https://0.0.0.0:{port}/",
        f"https://0:{port}/",
        f"https://[::]:{port}/",
    ]


ELSEWHERE = [
    "https://169.254.169.254/latest/meta-data/",
    "https://2852039166/",
    "https://0251.0376.0251.0376/",
    "https://0xa9.0xfe.0xa9.0xfe/",
    "https://[::ffff:a9fe:a9fe]/",
    "https://[::ffff:169.254.169.254]/",
    "https://10.0.0.1/",
    "https://167772161/",
    "https://[::ffff:10.0.0.1]/",
    "https://172.16.0.1/",
    "https://192.168.1.1:8443/",
    "https://100.64.0.1/",
    "https://224.0.0.1/",
    "https://240.0.0.1/",
    "https://255.255.255.255/",
    "https://[fe80::1]/",
    "https://[fc00::1]/",
    "https://[ff02::1]/",
    "https://192.0.2.10/",
    "https://198.18.0.1/",
]


def test_every_kind_of_non_public_address_is_classified():
    assert classify(ipaddress.ip_address("93.184.216.34")) is None
    assert classify(ipaddress.ip_address("2606:2800:220:1:248:1893:25c8:1946")) is None
    assert classify(ipaddress.ip_address("::ffff:127.0.0.1")) is AddressKind.LOOPBACK
    assert classify(ipaddress.ip_address("::ffff:169.254.169.254")) is AddressKind.LINK_LOCAL
    assert classify(ipaddress.ip_address("10.0.0.1")) is AddressKind.PRIVATE
    assert classify(ipaddress.ip_address("224.0.0.1")) is AddressKind.MULTICAST
    assert classify(ipaddress.ip_address("0.0.0.0")) is AddressKind.UNSPECIFIED
    assert classify(ipaddress.ip_address("240.0.0.1")) is AddressKind.RESERVED
    assert classify(ipaddress.ip_address("100.64.0.1")) is AddressKind.NOT_GLOBAL


def test_loopback_in_every_spelling_is_refused_before_connecting(listener, only_loopback_connects):
    port = listener.getsockname()[1]
    for url in loopback_spellings(port):
        with pytest.raises(outbound.OutboundRefused) as exc:
            outbound.session(STRICT).get(url, timeout=2)
        assert "Silta only calls public addresses" in str(exc.value), url
        shop = WooCommerce(url, "ck", "cs", allow_http_hosts=[], allow_private_hosts=[], max_attempts=1)
        with pytest.raises(AddressRefused):
            shop.test_connection()
    assert no_connection(listener)
    assert only_loopback_connects == []


@pytest.mark.parametrize("url", ELSEWHERE)
def test_link_local_private_and_reserved_addresses_are_refused_without_traffic(url, only_loopback_connects):
    shop = WooCommerce(url, "ck", "cs", max_attempts=1)  # the test settings' allow-lists name only loopback
    with pytest.raises(AddressRefused) as exc:
        shop.test_connection()
    assert "Silta only calls public addresses" in str(exc.value)
    assert only_loopback_connects == []


def test_the_words_say_what_was_refused():
    with pytest.raises(outbound.OutboundRefused) as exc:
        STRICT.check("https://10.0.0.1/")
    assert str(exc.value) == (
        "The address 10.0.0.1 resolves to a private network address (10.0.0.1); "
        "Silta only calls public addresses."
    )
    with pytest.raises(outbound.OutboundRefused, match=r"link-local address \(::ffff:169\.254\.169\.254\)"):
        STRICT.check("https://[::ffff:a9fe:a9fe]/")


def test_a_name_resolving_to_a_private_address_is_refused(monkeypatch, only_loopback_connects):
    real = socket.getaddrinfo

    def resolver(host, port, *args, **kwargs):  # the resolver is not ours: stands in for DNS
        if host == "shop.intranet.example":
            return [
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.1", port)),
            ]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    shop = WooCommerce("https://shop.intranet.example", "ck", "cs", max_attempts=1)
    with pytest.raises(AddressRefused, match=r"private network address \(10\.0\.0\.1\)"):
        shop.test_connection()  # one public address among them is not enough: every one is checked
    assert only_loopback_connects == []


@pytest.mark.parametrize(
    "url",
    [
        "https://user:secret@shop.example.fi/",
        "https://shop.example.fi@10.0.0.1/",
        "ftp://shop.example.fi/",
        "http://shop.example.fi/",
        "https://shop.example.fi:99999/",
        "gopher://127.0.0.1:70/",
        "file:///etc/passwd",
    ],
)
def test_user_info_other_schemes_and_plain_http_are_refused_without_resolving(url, monkeypatch):
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: pytest.fail("resolved"))
    with pytest.raises(outbound.OutboundRefused):
        STRICT.check(url)
    with pytest.raises(InsecureURL):
        WooCommerce(url, "ck", "cs", max_attempts=1).test_connection()


def test_the_connection_goes_to_the_checked_address_without_a_second_lookup(
    monkeypatch, only_loopback_connects
):
    """The name is resolved once; a resolver that changes its answer afterwards (DNS rebinding) is not asked."""
    answers = iter(["127.0.0.1"])
    real = socket.getaddrinfo
    lookups: list[str] = []

    class Echo(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"host": "%s"}' % self.headers["Host"].encode())

        def log_message(self, *args):
            pass

    with _server(Echo) as port:

        def resolver(host, port_, *args, **kwargs):
            if host == "127.0.0.1":  # the pinned IP, given as a number: no name to look up
                return real(host, port_, *args, **kwargs)
            lookups.append(host)
            return [
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port_))
            ]  # a 2nd lookup: StopIteration

        monkeypatch.setattr(socket, "getaddrinfo", resolver)
        policy = outbound.Policy(
            allow_http_hosts=frozenset({"shop.test"}), allow_private_hosts=frozenset({"shop.test"})
        )
        answer = outbound.session(policy).get(f"http://shop.test:{port}/", timeout=5)
    assert answer.json() == {"host": f"shop.test:{port}"}  # the Host header keeps the name
    assert lookups == ["shop.test"]
    assert only_loopback_connects == [("127.0.0.1", port)]


def test_the_next_checked_address_is_tried_when_one_is_down(monkeypatch, only_loopback_connects):
    """A name with several addresses (localhost: ::1 and 127.0.0.1) works when the first is not listening."""
    real = socket.getaddrinfo

    class Ok(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            pass

    with _server(Ok) as port:

        def resolver(host, port_, *args, **kwargs):
            if host == "shop.test":
                return [
                    (socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("::1", port_, 0, 0)),
                    (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port_)),
                ]
            return real(host, port_, *args, **kwargs)

        monkeypatch.setattr(socket, "getaddrinfo", resolver)
        policy = outbound.Policy(
            allow_http_hosts=frozenset({"shop.test"}), allow_private_hosts=frozenset({"shop.test"})
        )
        assert outbound.session(policy).get(f"http://shop.test:{port}/", timeout=5).status_code == 200
    assert ("127.0.0.1", port) in only_loopback_connects


class Redirector(BaseHTTPRequestHandler):
    """An allowed test server that answers every request with a redirect to ?to=…"""

    def do_GET(self):
        self.send_response(302)
        self.send_header("Location", parse_qs(urlsplit(self.path).query)["to"][0])
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class _server:
    def __init__(self, handler: type[BaseHTTPRequestHandler]):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)

    def __enter__(self) -> int:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self.httpd.server_address[1]

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def test_a_redirect_to_any_refused_address_is_not_followed(listener, only_loopback_connects):
    target_port = listener.getsockname()[1]
    targets = (
        [u.replace("https://", "http://") for u in loopback_spellings(target_port)[1:]]
        + ELSEWHERE
        + ["https://user:pw@shop.example.fi/", f"ftp://127.0.0.1:{target_port}/"]
    )
    only_the_test_server = {"allow_http_hosts": ["127.0.0.1"], "allow_private_hosts": ["127.0.0.1"]}
    policy = outbound.Policy(**{k: frozenset(v) for k, v in only_the_test_server.items()})
    with _server(Redirector) as port:
        for target in targets:
            # A session that follows redirects still re-applies the whole policy to each hop …
            follower = outbound.session(policy)
            follower.max_redirects = 5
            with pytest.raises((outbound.OutboundRefused, requests.exceptions.InvalidSchema)):
                follower.get(f"http://127.0.0.1:{port}/?to={requests.utils.quote(target)}", timeout=2)
            # … and the shop client follows none: a redirect is an error that says so.
            shop = WooCommerce(f"http://127.0.0.1:{port}", "ck", "cs", max_attempts=1, **only_the_test_server)
            with pytest.raises(AddressRefused, match="redirect"):
                shop.client.request("GET", "system_status", params={"to": target})
    assert no_connection(listener)
    assert only_loopback_connects and {address[1] for address in only_loopback_connects} == {port}


def test_the_allow_listed_sandbox_still_works(sb, key):
    assert make_shop(sb, key).test_connection().currency == "EUR"


@pytest.mark.django_db
def test_a_shop_whose_address_is_refused_is_not_called_by_scheduled_jobs(
    tenant_a, django_user_model, mailoutbox, only_loopback_connects, django_capture_on_commit_callbacks
):
    from integration import tasks
    from integration.models import ConnectionStatus, Membership, WebshopConnection

    owner = django_user_model.objects.create_user("omistaja", email="omistaja@example.fi")
    Membership.objects.create(tenant=tenant_a, user=owner, role=Membership.Role.OWNER)
    tenant_a.is_active = True
    tenant_a.save()
    WebshopConnection.objects.filter(tenant=tenant_a).update(base_url="https://169.254.169.254")

    with django_capture_on_commit_callbacks(execute=True):
        first = tasks.check_webhooks(tenant_a.pk)
    assert first == [
        "paused: The address 169.254.169.254 resolves to a link-local address (169.254.169.254); "
        "Silta only calls public addresses."
    ]
    connection = WebshopConnection.objects.get(tenant=tenant_a)
    assert connection.status == ConnectionStatus.NEEDS_RECONNECT and "link-local" in connection.status_detail
    assert tasks.check_webhooks(tenant_a.pk) == ["paused: the webshop needs reconnecting"]
    assert tasks.transfer_orders(tenant_a.pk) == "paused: the webshop needs reconnecting"
    assert tasks.sync_articles(tenant_a.pk) == "paused: the webshop needs reconnecting"
    assert [m.to for m in mailoutbox] == [["omistaja@example.fi"]]  # the refusal told once
    assert only_loopback_connects == []
