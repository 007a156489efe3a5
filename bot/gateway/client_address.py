"""The address a request really comes from, through reverse proxies the operator trusts.

Per-address limits (the chat's, the console's sign-in lockout) need the client's address.
Behind nginx every request comes from the proxy, so one parent could exhaust a whole
centre's allowance; believing X-Forwarded-For from anyone would let a script name any
address it likes. So the header is read only when the connection comes from a proxy listed
in TUOYU_TRUSTED_PROXIES, from the right (the entry the nearest proxy added) leftwards, past
further trusted proxies, to the first address nobody trusted vouches for.
"""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

from aiohttp import web

from bot.gateway.keys import SETTINGS

Network = IPv4Network | IPv6Network


def _parse(raw: str) -> IPv4Address | IPv6Address | None:
    try:
        return ip_address(raw.strip().strip("[]"))
    except ValueError:
        return None


def _trusted(address: IPv4Address | IPv6Address | None, proxies: Sequence[Network]) -> bool:
    return address is not None and any(address in network for network in proxies)


def resolve_client_address(remote: str, forwarded_for: str, proxies: Sequence[Network]) -> str:
    """The client's address given the connecting address and any X-Forwarded-For value."""
    if not proxies or not _trusted(_parse(remote), proxies):
        return remote
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:
            # A value no proxy would write: whoever sent it is the last we can place.
            return remote
        if not _trusted(address, proxies):
            return str(address)
        remote = str(address)
    return remote


def client_address(request: web.Request) -> str:
    """The request's client address ("" when the transport does not know it)."""
    proxies = request.config_dict[SETTINGS].trusted_proxies
    return resolve_client_address(
        request.remote or "", request.headers.get("X-Forwarded-For", ""), proxies
    )
