"""Name resolution through the operating system's resolver."""

from __future__ import annotations

import ipaddress
import socket

from application.notifications.ports import HostNotResolved
from domain.notifications.destination import IPAddress


class SocketHostResolver:
    def resolve(self, host: str, port: int) -> list[IPAddress]:
        """Every address, IPv4 and IPv6, in the resolver's order. Raises HostNotResolved."""
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise HostNotResolved(f"{host}: {exc}") from None
        addresses: list[IPAddress] = []
        for _, _, _, _, sockaddr in infos:
            address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
            if address not in addresses:
                addresses.append(address)
        return addresses
