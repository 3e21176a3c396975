"""One shop, one identity (pure): the one-company-per-shop rule compares identities, not text.

``https://WWW.Shop.fi:443/`` and ``https://shop.fi.`` are the same shop; so are ``localhost`` and
``127.0.0.1`` (every loopback name and address is one). The scheme is kept.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

DEFAULT_PORTS = {"https": 443, "http": 80}
LOOPBACK = "127.0.0.1"


def canonical_host(hostname: str) -> str:
    host = hostname.lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    if host == "localhost" or host.endswith(".localhost"):
        return LOOPBACK
    try:
        ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(host)
    except ValueError:
        try:  # the resolver's old IPv4 spellings (2130706433, 0x7f.1, 0177.0.0.1), without any lookup
            ip = ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return host
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return LOOPBACK if ip.is_loopback else (f"[{ip}]" if ip.version == 6 else str(ip))


def shop_identity(url: str) -> str:
    """``scheme://host[:port]/path`` in canonical form; "" for no address."""
    if not url:
        return ""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url.strip().lower()
    if not parts.hostname:
        return url.strip().lower()
    scheme = parts.scheme.lower()
    netloc = canonical_host(parts.hostname)
    if port is not None and port != DEFAULT_PORTS.get(scheme):
        netloc += f":{port}"
    path = parts.path.rstrip("/")
    return f"{scheme}://{netloc}{path}"
