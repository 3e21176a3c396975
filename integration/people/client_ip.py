"""The client's IP address for the login lockout (django-axes' ``AXES_CLIENT_IP_CALLABLE``).

Behind nginx every request comes from the proxy, so the lockout needs the address nginx saw.
``X-Forwarded-For`` is believed only when the request comes from a proxy in
``SILTA_TRUSTED_PROXIES``; anyone else could write any address there. The header is read from
the right (nginx appends the address it saw), skipping trusted proxies: the first address that
is not one is the client's, and whatever a client wrote further left is ignored.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_networks(entries: Iterable[str]) -> list[Network]:
    """``SILTA_TRUSTED_PROXIES``: addresses or networks (127.0.0.1, 10.0.0.0/8, ::1)."""
    return [ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip()]


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_address(remote_addr: str, forwarded_for: str, trusted: list[Network]) -> str:
    """Pure: the client's address from the socket peer and the X-Forwarded-For header."""

    def is_trusted(ip: ipaddress.IPv4Address | ipaddress.IPv6Address | None) -> bool:
        return ip is not None and any(ip in network for network in trusted)

    peer = _ip(remote_addr)
    if not is_trusted(peer):
        return remote_addr
    for hop in reversed(forwarded_for.split(",") if forwarded_for else []):
        ip = _ip(hop)
        if ip is None:
            return remote_addr  # a hop that is not an address: the chain cannot be believed past it
        if not is_trusted(ip):
            return str(ip)
    return remote_addr


def client_ip(request: HttpRequest) -> str:
    return client_address(
        request.META.get("REMOTE_ADDR", ""),
        request.META.get("HTTP_X_FORWARDED_FOR", ""),
        trusted_networks(settings.SILTA_TRUSTED_PROXIES),
    )
