"""Per-address limits see the client's address through trusted proxies, and only through them."""

from __future__ import annotations

from ipaddress import ip_network

import pytest

from bot.gateway.client_address import resolve_client_address
from bot.settings import Settings, SettingsError

PROXIES = (ip_network("10.0.0.0/8"), ip_network("::1"))


@pytest.mark.parametrize(
    ("remote", "forwarded", "client"),
    [
        # No proxy trusted: the header is anyone's to write, so it is ignored.
        ("203.0.113.9", "198.51.100.1", "203.0.113.9"),
        # Through the trusted proxy: the address it saw.
        ("10.0.0.2", "198.51.100.7", "198.51.100.7"),
        # A client's own forged entry sits left of the one the proxy added.
        ("10.0.0.2", "1.2.3.4, 198.51.100.7", "198.51.100.7"),
        # Two trusted hops: past both to the client.
        ("10.0.0.2", "198.51.100.7, 10.1.1.1", "198.51.100.7"),
        ("::1", "2001:db8::5", "2001:db8::5"),
        # Garbage where an address should be: the last hop that can be placed.
        ("10.0.0.2", "<script>, 10.1.1.1", "10.1.1.1"),
        # A trusted proxy that added nothing.
        ("10.0.0.2", "", "10.0.0.2"),
    ],
)
def test_the_client_address(remote: str, forwarded: str, client: str) -> None:
    assert resolve_client_address(remote, forwarded, PROXIES) == client


def test_without_trusted_proxies_the_header_is_never_read() -> None:
    assert resolve_client_address("10.0.0.2", "198.51.100.7", ()) == "10.0.0.2"


def test_trusted_proxies_are_read_from_the_environment() -> None:
    settings = Settings.from_env({"TUOYU_TRUSTED_PROXIES": "10.0.0.0/8, 127.0.0.1"})
    assert [str(n) for n in settings.trusted_proxies] == ["10.0.0.0/8", "127.0.0.1/32"]
    with pytest.raises(SettingsError, match="TUOYU_TRUSTED_PROXIES"):
        Settings.from_env({"TUOYU_TRUSTED_PROXIES": "nginx"})
