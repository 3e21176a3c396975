"""Which addresses Silta may call for a tenant (pure: no I/O).

A shop's address is typed by a tenant, so it must not lead Silta's server into its own network:
every resolved address must be public. IPv6 forms that carry an IPv4 address (mapped,
compatible, 6to4, NAT64) are judged by the IPv4 address inside.
"""

from __future__ import annotations

import enum
import ipaddress
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from django.utils.translation import gettext as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class AddressKind(enum.Enum):
    """Why an address is not public (a closed set: each has its own words for the owner)."""

    LOOPBACK = "loopback"
    PRIVATE = "private"
    LINK_LOCAL = "link-local"
    MULTICAST = "multicast"
    UNSPECIFIED = "unspecified"
    RESERVED = "reserved"
    NOT_GLOBAL = "not-global"


def describe(kind: AddressKind) -> str:
    return {
        AddressKind.LOOPBACK: _("a loopback address (this server itself)"),
        AddressKind.PRIVATE: _("a private network address"),
        AddressKind.LINK_LOCAL: _("a link-local address"),
        AddressKind.MULTICAST: _("a multicast address"),
        AddressKind.UNSPECIFIED: _("an unspecified address"),
        AddressKind.RESERVED: _("a reserved address"),
        AddressKind.NOT_GLOBAL: _("an address that is not on the public internet"),
    }[kind]


class AddressRefusedReason(Exception):
    """The policy refuses a URL or address; the message says in words what and why."""


def embedded_ipv4(ip: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 address carries (mapped, compatible, 6to4, NAT64), else `ip`."""
    if isinstance(ip, ipaddress.IPv4Address):
        return ip
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in NAT64:
        return ipaddress.IPv4Address(ip.packed[-4:])
    if ip.packed[:12] == bytes(12) and int(ip) > 1:  # IPv4-compatible ::a.b.c.d (deprecated)
        return ipaddress.IPv4Address(ip.packed[-4:])
    return ip


def classify(ip: IPAddress) -> AddressKind | None:
    """None for a public address; otherwise what kind of non-public address it is."""
    inner = embedded_ipv4(ip)
    for candidate in (inner, ip) if inner != ip else (ip,):
        if candidate.is_unspecified:
            return AddressKind.UNSPECIFIED
        if candidate.is_loopback:
            return AddressKind.LOOPBACK
        if candidate.is_link_local:
            return AddressKind.LINK_LOCAL
        if candidate.is_multicast:
            return AddressKind.MULTICAST
        if candidate.is_reserved:  # before private: Python counts 240.0.0.0/4 as private too
            return AddressKind.RESERVED
        if candidate.is_private:
            return AddressKind.PRIVATE
        if not candidate.is_global:
            return AddressKind.NOT_GLOBAL
    return None


def parse_ip(text: str) -> IPAddress:
    return ipaddress.ip_address(text.split("%", 1)[0])  # drop an IPv6 zone (fe80::1%eth0)


@dataclass(frozen=True)
class Destination:
    """A checked URL's scheme, host and port (before resolving)."""

    scheme: str
    host: str  # lower case, no trailing dot, IPv6 without brackets
    port: int


def host_of(hostname: str) -> str:
    return hostname.lower().rstrip(".")


def check_url(url: str, allow_http_hosts: frozenset[str]) -> Destination:
    """The URL's form: http(s), a host, no user info, plain http only to allow-listed hosts."""
    try:
        parts: SplitResult = urlsplit(url)
        port = parts.port
    except ValueError:
        raise AddressRefusedReason(
            _("The address %(url)s is not a valid web address.") % {"url": url}
        ) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AddressRefusedReason(_("Enter the shop's address, e.g. https://shop.example.fi."))
    if "@" in parts.netloc:
        raise AddressRefusedReason(
            _(
                "The address contains a user name or password (before “@”); enter the shop's address without them."
            )
        )
    host = host_of(parts.hostname)
    if parts.scheme == "http" and host not in allow_http_hosts:
        raise AddressRefusedReason(
            _("The shop must be reached over HTTPS: API keys would travel unencrypted.")
        )
    return Destination(parts.scheme, host, port or (443 if parts.scheme == "https" else 80))


def check_addresses(destination: Destination, addresses: list[str]) -> list[str]:
    """The addresses to connect to (tried in order), when every one the name resolves to is public."""
    if not addresses:
        raise AddressRefusedReason(
            _("The name %(host)s does not resolve to any address.") % {"host": destination.host}
        )
    for text in addresses:
        kind = classify(parse_ip(text))
        if kind is not None:
            raise AddressRefusedReason(
                _("The address %(host)s resolves to %(kind)s (%(ip)s); Silta only calls public addresses.")
                % {"host": destination.host, "kind": describe(kind), "ip": text}
            )
    return addresses
