"""Block every network connection except to loopback, so no test reaches the internet.

Use the ``network_guard`` fixture (load this module with ``pytest_plugins`` in the root
conftest, or import the fixture into a test module), or call ``block_network(monkeypatch)``.
The guard raises ``NetworkBlocked`` *before* any traffic: name lookups of non-local hosts
(DNS) and connects to non-loopback addresses are refused. Unix sockets stay allowed.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator

import pytest

LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})
NO_PROXY = "127.0.0.1,localhost,::1"


class NetworkBlocked(RuntimeError):
    """A test tried to reach a non-local host."""


def _ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        return None


def is_local_host(host: object) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1."""
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    if host.lower().rstrip(".") in LOCAL_NAMES:
        return True
    ip = _ip_literal(host)
    return ip is not None and ip.is_loopback


def _check_address(address: object) -> None:
    if isinstance(address, str | bytes):  # AF_UNIX path
        return
    host = address[0] if isinstance(address, tuple) and address else None
    if not is_local_host(host):
        raise NetworkBlocked(f"network access to {host!r} is blocked in tests")


def block_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Patch ``socket`` so only loopback hosts can be resolved and connected to."""
    monkeypatch.setenv("NO_PROXY", NO_PROXY)
    monkeypatch.setenv("no_proxy", NO_PROXY)
    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex
    original_create_connection = socket.create_connection
    original_getaddrinfo = socket.getaddrinfo
    original_gethostbyname = socket.gethostbyname

    def connect(self: socket.socket, address: object) -> None:
        _check_address(address)
        return original_connect(self, address)

    def connect_ex(self: socket.socket, address: object) -> int:
        _check_address(address)
        return original_connect_ex(self, address)

    def create_connection(address: tuple, *args: object, **kwargs: object) -> socket.socket:
        _check_address(address)
        return original_create_connection(address, *args, **kwargs)

    def getaddrinfo(host: object, *args: object, **kwargs: object) -> list:
        # Passive (None) lookups and IP literals send no DNS query; connect is checked later.
        if host is not None and not is_local_host(host):
            text = host.decode() if isinstance(host, bytes) else str(host)
            if _ip_literal(text) is None:
                raise NetworkBlocked(f"name lookup of {host!r} is blocked in tests")
        return original_getaddrinfo(host, *args, **kwargs)

    def gethostbyname(host: str) -> str:
        if not is_local_host(host) and _ip_literal(host) is None:
            raise NetworkBlocked(f"name lookup of {host!r} is blocked in tests")
        return original_gethostbyname(host)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket, "gethostbyname", gethostbyname)


@pytest.fixture
def network_guard(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Refuse non-loopback network access for the duration of a test."""
    block_network(monkeypatch)
    yield
