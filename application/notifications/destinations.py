"""The SSRF check of a webhook URL: resolve its host once, apply the address rule to every
address, and hand back the address to connect to, so what is checked is what is reached."""

from __future__ import annotations

from dataclasses import dataclass

from application.notifications.ports import HostNotResolved, HostResolver
from domain.notifications.destination import AddressPolicy, Destination, IPAddress
from domain.notifications.errors import RefusedDestination


@dataclass(frozen=True, slots=True)
class CheckedDestination:
    destination: Destination
    address: IPAddress


class DestinationCheck:
    def __init__(self, *, resolver: HostResolver, policy: AddressPolicy) -> None:
        self._resolver = resolver
        self._policy = policy

    def __call__(self, url: str) -> CheckedDestination:
        """Where a delivery may connect now. Raises RefusedDestination, or HostNotResolved
        when the name does not resolve at the moment (worth another try later)."""
        destination = Destination.parse(url)
        if destination.address is not None:
            addresses = [destination.address]
        else:
            addresses = self._resolver.resolve(destination.host, destination.port)
        self._policy.check(destination, addresses)
        return CheckedDestination(destination, addresses[0])

    def for_endpoint(self, url: str) -> str:
        """A URL an endpoint may be created or changed with. Raises RefusedDestination, also
        for a host that does not resolve (with the same words as for an internal one, so
        the check does not tell which internal names exist)."""
        try:
            self(url)
        except HostNotResolved:
            raise RefusedDestination(
                f"{Destination.parse(url).host} does not resolve to public addresses only"
            ) from None
        return url
