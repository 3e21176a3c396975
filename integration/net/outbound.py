"""The one outbound-HTTP policy for addresses a tenant supplied (a shop's address).

Every request is checked (address_policy) and then sent to the very address that was checked:
the name is resolved once here and the connection is pinned to that IP, while the Host header,
TLS SNI and certificate check stay on the name. Redirects are not followed (see ``session``).
Hosts on ``WEBSHOP_ALLOW_PRIVATE_HOSTS`` (the demo's and tests' local sandboxes) skip the
address check, never the URL check.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from typing import Any, TypeVar

import requests
from requests.adapters import HTTPAdapter
from urllib3 import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from .address_policy import AddressRefusedReason, Destination, check_addresses, check_url, host_of


class OutboundRefused(Exception):
    """Silta will not call this address; the message says what was refused, in words."""


def _setting(name: str, default: Any) -> Any:
    from django.conf import settings

    return getattr(settings, name, default)


@dataclass(frozen=True)
class Policy:
    allow_http_hosts: frozenset[str] = frozenset()
    allow_private_hosts: frozenset[str] = frozenset()

    @classmethod
    def from_settings(cls) -> Policy:
        return cls(
            allow_http_hosts=frozenset(host_of(h) for h in _setting("WEBSHOP_ALLOW_HTTP_HOSTS", [])),
            allow_private_hosts=frozenset(host_of(h) for h in _setting("WEBSHOP_ALLOW_PRIVATE_HOSTS", [])),
        )

    def check(self, url: str) -> tuple[Destination, list[str]]:
        """The destination and the checked IP addresses to connect to; raises ``OutboundRefused``."""
        try:
            destination = check_url(url, self.allow_http_hosts)
            addresses = resolve(destination)
            if destination.host in self.allow_private_hosts and addresses:
                return destination, addresses
            return destination, check_addresses(destination, addresses)
        except AddressRefusedReason as exc:
            raise OutboundRefused(str(exc)) from None


def resolve(destination: Destination) -> list[str]:
    """Every address the name resolves to (numeric spellings such as 2130706433 or 0x7f.1 are
    normalised by the resolver, so they are judged as the address they mean)."""
    from django.utils.translation import gettext as _

    try:
        infos = socket.getaddrinfo(destination.host, destination.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise AddressRefusedReason(
            _("The name %(host)s could not be found (DNS); check the shop's address.")
            % {"host": destination.host}
        ) from None
    seen: list[str] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        if sockaddr[0] not in seen:
            seen.append(str(sockaddr[0]))
    return seen


@dataclass
class _Pins:
    """(host, port) → the IPs checked for it, set just before each request is sent."""

    by_destination: dict[tuple[str, int], list[str]] = field(default_factory=dict)

    def ips_for(self, host: str, port: int) -> list[str]:
        try:
            return self.by_destination[(host_of(host).strip("[]"), port)]
        except KeyError:  # fail closed: nothing connects without a check
            raise OSError(f"no checked address for {host}:{port}") from None


Connection = TypeVar("Connection", bound=HTTPConnection)


def _pinned(base: type[Connection], pins: _Pins) -> type[Connection]:
    class Pinned(base):  # type: ignore[valid-type,misc]
        def _new_conn(self) -> socket.socket:
            name: str = self._dns_host  # type: ignore[has-type]  # set by urllib3's host setter
            ips = pins.ips_for(name, self.port or 0)
            try:
                for n, ip in enumerate(ips):  # like a resolver's answer: the next address when one is down
                    self._dns_host = ip
                    try:
                        return super()._new_conn()
                    except (NewConnectionError, ConnectTimeoutError):
                        if n == len(ips) - 1:
                            raise
                raise OSError("no address")  # unreachable: ips_for never returns an empty list
            finally:
                self._dns_host = name  # TLS (SNI, certificate) and Host stay on the name

    return Pinned


class PolicyAdapter(HTTPAdapter):
    """Checks every request (every hop, were redirects followed) and connects to the checked IP."""

    def __init__(self, policy: Policy, **kwargs: Any) -> None:
        self.policy = policy
        self.pins = _Pins()
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        pins = self.pins

        class PinnedHTTPPool(HTTPConnectionPool):
            ConnectionCls = _pinned(HTTPConnection, pins)

        class PinnedHTTPSPool(HTTPSConnectionPool):
            ConnectionCls = _pinned(HTTPSConnection, pins)

        self.poolmanager.pool_classes_by_scheme = {"http": PinnedHTTPPool, "https": PinnedHTTPSPool}

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        destination, ips = self.policy.check(str(request.url))
        self.pins.by_destination[(destination.host, destination.port)] = ips
        return super().send(request, *args, **kwargs)


def session(policy: Policy | None = None) -> requests.Session:
    """A requests session that calls only what the policy allows (no environment proxies:
    a proxy would resolve the name again)."""
    s = requests.Session()
    s.trust_env = False
    adapter = PolicyAdapter(policy or Policy.from_settings())
    s.mount("http://", adapter)
    s.mount("https://", adapter)
    s.max_redirects = 0
    return s
