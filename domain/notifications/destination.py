"""Which destinations a webhook may reach (SSRF protection).

A webhook URL is user input that makes our workers send requests. It may only be http(s),
and every address its host resolves to must be public: not loopback, private, link-local,
carrier-grade NAT, multicast, reserved, unspecified or a cloud metadata address, for IPv4
and IPv6, including IPv4 addresses embedded in IPv6 ones and the numeric spellings that
`inet_aton` accepts (2130706433, 0x7f.1, 017700000001). An operator may allow hosts or
networks (tests, private deployments); metadata addresses stay refused even then.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from domain.notifications.errors import RefusedDestination

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# instance metadata services: AWS/GCP/Azure/OpenStack, AWS ECS task metadata, AWS IPv6,
# Alibaba Cloud, Oracle Cloud
METADATA_ADDRESSES: frozenset[IPAddress] = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200", "192.0.0.192")
)
SHARED_ADDRESS_SPACE = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT, RFC 6598
NAT64 = ipaddress.ip_network("64:ff9b::/96")
MAX_URL_LENGTH = 2000
_NUMERIC_PART = re.compile(r"^(0x[0-9a-f]*|0[0-7]*|[1-9][0-9]*)$")
_FORBIDDEN_IN_URL = re.compile(r"[\s\\\x00-\x1f\x7f]")


@dataclass(frozen=True, slots=True, kw_only=True)
class Destination:
    """The parts of a webhook URL that decide where a request goes."""

    url: str
    scheme: str
    host: str  # lower case, without brackets
    port: int
    address: IPAddress | None  # the host written as an IP address, in whatever spelling

    @classmethod
    def parse(cls, url: str) -> Destination:
        """Raises RefusedDestination for anything but an absolute http(s) URL with a host."""
        if len(url) > MAX_URL_LENGTH or _FORBIDDEN_IN_URL.search(url):
            raise RefusedDestination("the URL is too long or holds whitespace, backslashes or control characters")
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise RefusedDestination(f"the URL is malformed: {exc}") from None
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            raise RefusedDestination("only http and https URLs can receive webhooks")
        if parts.username is not None or parts.password is not None:
            raise RefusedDestination("the URL may not hold credentials; verify the signature instead")
        host = (parts.hostname or "").rstrip(".")
        if not host:
            raise RefusedDestination("the URL has no host")
        if port == 0:
            raise RefusedDestination("port 0 cannot be reached")
        return cls(
            url=url,
            scheme=scheme,
            host=host,
            port=port or (443 if scheme == "https" else 80),
            address=ip_literal(host),
        )


def ip_literal(host: str) -> IPAddress | None:
    """`host` as an IP address if it is one in any spelling a resolver accepts: IPv6, dotted
    IPv4, or inet_aton's 1 to 4 parts in decimal, octal (0-prefixed) or hex (0x-prefixed)."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    parts = host.lower().split(".")
    if not 1 <= len(parts) <= 4 or not all(_NUMERIC_PART.match(part) for part in parts):
        return None
    try:
        values = [int(p, 16) if p.startswith("0x") else int(p, 8) if p.startswith("0") else int(p) for p in parts]
    except ValueError:  # "0x" alone
        return None
    *head, last = values
    if any(value > 0xFF for value in head) or last >= 1 << (8 * (5 - len(values))):
        return None
    number = last
    for index, value in enumerate(head):
        number |= value << (8 * (3 - index))
    return ipaddress.IPv4Address(number)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses an IPv6 address carries, apart from a mapped one: 6to4, Teredo, NAT64."""
    found: list[ipaddress.IPv4Address] = []
    if address.sixtofour is not None:
        found.append(address.sixtofour)
    if address.teredo is not None:
        found.extend(address.teredo)
    if address in NAT64:
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return found


def address_class(address: IPAddress) -> str | None:
    """Why `address` is no place for a webhook, or None for a public address."""
    if address in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:  # ::ffff:a.b.c.d is a.b.c.d, reached over IPv6
            return address_class(address.ipv4_mapped)
        for embedded in _embedded_ipv4(address):
            refused = address_class(embedded)
            if refused is not None:
                return f"an IPv6 address embedding {refused}"
    checks = (
        (address.is_unspecified, "unspecified"),
        (address.is_loopback, "loopback"),
        (address.is_link_local, "link-local"),
        (address in SHARED_ADDRESS_SPACE, "carrier-grade NAT (shared address space)"),
        (address.is_multicast, "multicast"),
        (address.is_reserved, "reserved"),
        (address.is_private, "private"),
        (not address.is_global, "not a public address"),
    )
    return next((name for refused, name in checks if refused), None)


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """The SSRF rule with an operator's allowlist: hosts (exact names) and networks whose
    addresses may be reached although they are not public. Metadata addresses never may."""

    allowed_hosts: frozenset[str] = frozenset()
    allowed_networks: tuple[IPNetwork, ...] = field(default_factory=tuple)

    @classmethod
    def allowing(cls, entries: Iterable[str]) -> AddressPolicy:
        """From WEBHOOK_ALLOWED_NETWORKS' entries: each a host name, an address or a CIDR."""
        hosts: set[str] = set()
        networks: list[IPNetwork] = []
        for raw in entries:
            entry = raw.strip().lower().strip("[]")
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                hosts.add(entry.rstrip("."))
        return cls(allowed_hosts=frozenset(hosts), allowed_networks=tuple(networks))

    def refusal(self, host: str, address: IPAddress) -> str | None:
        """Why `host` may not be reached at `address`, or None if it may."""
        refused = address_class(address)
        if refused is None or refused == "a cloud metadata address":
            return refused
        forms: list[IPAddress] = [address]
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            forms.append(address.ipv4_mapped)  # allowing 127.0.0.1 allows ::ffff:127.0.0.1
        if host in self.allowed_hosts or any(a in network for a in forms for network in self.allowed_networks):
            return None
        return refused

    def check(self, destination: Destination, addresses: Sequence[IPAddress]) -> None:
        """Raises RefusedDestination unless there is an address and every one may be reached."""
        if not addresses:
            raise RefusedDestination(f"{destination.host} resolves to no address")
        for address in addresses:
            refused = self.refusal(destination.host, address)
            if refused is None:
                continue
            if destination.address is not None:  # the user wrote the address: say what it is
                raise RefusedDestination(f"{destination.host} is {refused}; webhooks go to public addresses only")
            # for a name, do not tell what internal names resolve to
            raise RefusedDestination(f"{destination.host} does not resolve to public addresses only")
