"""The client's real address behind the reverse proxies named in ``TRUSTED_PROXIES``."""
from __future__ import annotations

import ipaddress

from django.conf import settings


def _networks():
    return [ipaddress.ip_network(entry, strict=False) for entry in settings.TRUSTED_PROXIES]


def _is_trusted(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(request) -> str:
    """``REMOTE_ADDR``, or, when that is a trusted proxy, the nearest untrusted hop of ``X-Forwarded-For``.

    The header is read right to left: each trusted proxy appends the address it received from, so
    the first address that is not a trusted proxy is the client as seen by our own proxies. Anything
    further left was written by the client and may be forged. A request from an untrusted address
    has its header ignored, so a stranger cannot choose the address the lockout counts.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    networks = _networks()
    if not networks or not _is_trusted(remote, networks):
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return remote  # a malformed hop from a proxy we trust: count the proxy, not garbage
    return remote
