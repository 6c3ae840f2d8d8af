"""Where a request comes from: the TCP peer, or what trusted proxies vouch for."""

import functools
import ipaddress
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

from django.conf import settings

IPAddress = IPv4Address | IPv6Address
IPNetwork = IPv4Network | IPv6Network


@functools.lru_cache(maxsize=4096)
def _parse_address(value: str) -> IPAddress | None:
    """Cached: every request parses its peer's address, and the same few peers
    (a proxy, a panel's servers) send most of them. Addresses are immutable."""
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    # An IPv4 client seen through an IPv6 socket arrives as ::ffff:a.b.c.d.
    if isinstance(address, IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _is_trusted_proxy(address: IPAddress) -> bool:
    return any(address in network for network in settings.TRUSTED_PROXIES)


def is_trusted_proxy_peer(request) -> bool:
    """True if the TCP peer is one of TRUSTED_PROXIES."""
    peer = _parse_address(request.META.get("REMOTE_ADDR", ""))
    return peer is not None and _is_trusted_proxy(peer)


def client_address(request) -> IPAddress | None:
    """The client's address: the TCP peer, unless the peer is a trusted proxy.

    Behind trusted proxies, X-Forwarded-For is read from the right, skipping the
    proxies, so the first address a trusted proxy vouches for wins. A forwarding
    header from anyone else is ignored, so clients cannot choose their address.
    """
    peer = _parse_address(request.META.get("REMOTE_ADDR", ""))
    if peer is None or not _is_trusted_proxy(peer):
        return peer
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop for hop in forwarded.split(",") if hop.strip()]
    nearest = peer
    for hop in reversed(hops):
        address = _parse_address(hop)
        if address is None:
            # Garbage from before the first trusted proxy: the client is unknown.
            return None
        if not _is_trusted_proxy(address):
            return address
        nearest = address
    return nearest


def client_address_text(request) -> str | None:
    """client_address as text, for logs and counters."""
    address = client_address(request)
    return str(address) if address is not None else None
