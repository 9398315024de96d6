"""The SSRF rule: which URLs and addresses a webhook may reach."""

from __future__ import annotations

from ipaddress import ip_address

import pytest

from domain.notifications.destination import AddressPolicy, Destination, address_class, ip_literal
from domain.notifications.errors import RefusedDestination

REFUSED = {
    # class: (IPv4 examples, IPv6 examples)
    "loopback": (["127.0.0.1", "127.255.0.9"], ["::1"]),
    "private": (["10.0.0.1", "172.16.5.4", "192.168.1.1"], ["fc00::1", "fd12:3456::1"]),
    "link-local": (["169.254.1.1"], ["fe80::1"]),
    "carrier-grade NAT (shared address space)": (["100.64.0.1", "100.127.255.254"], []),
    "multicast": (["224.0.0.1", "239.255.255.250"], ["ff02::1"]),
    "reserved": (["240.0.0.1", "255.255.255.255"], []),
    "unspecified": (["0.0.0.0"], ["::"]),
    "a cloud metadata address": (["169.254.169.254", "169.254.170.2", "100.100.100.200"], ["fd00:ec2::254"]),
}


@pytest.mark.parametrize(
    ("address", "reason"),
    [(a, reason) for reason, (v4, v6) in REFUSED.items() for a in v4 + v6],
)
def test_every_class_of_non_public_address_is_refused_with_its_name(address: str, reason: str) -> None:
    assert address_class(ip_address(address)) == reason


@pytest.mark.parametrize(
    "address", ["::ffff:127.0.0.1", "::ffff:10.1.1.1", "::ffff:169.254.169.254", "2002:7f00:1::1", "64:ff9b::a00:1"]
)
def test_ipv4_addresses_embedded_in_ipv6_ones_are_judged_as_ipv4(address: str) -> None:
    assert address_class(ip_address(address)) is not None
    assert address_class(ip_address("::ffff:127.0.0.1")) == "loopback"


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:93.184.216.34"])
def test_public_addresses_pass(address: str) -> None:
    assert address_class(ip_address(address)) is None


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("0x7F000001", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("0177.0.0.01", "127.0.0.1"),
        ("10.0x10.1", "10.16.0.1"),
        ("0", "0.0.0.0"),
        ("::ffff:127.0.0.1", "::ffff:7f00:1"),
    ],
)
def test_numeric_spellings_of_an_address_are_recognised(host: str, address: str) -> None:
    assert ip_literal(host) == ip_address(address)


@pytest.mark.parametrize("host", ["example.com", "256.1", "1.2.3.4.5", "08", "0x", "0x1g", "1.256.0.0"])
def test_names_and_malformed_numbers_are_not_addresses(host: str) -> None:
    assert ip_literal(host) is None


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/",
        "file:///etc/passwd",
        "gopher://example.com/",
        "//example.com/x",
        "https://",
        "https://user:secret@example.com/",
        "https://example.com:0/",
        "https://example.com:99999/",
        "https://exa mple.com/",
        "https://example.com\\@127.0.0.1/",
        "https://example.com/\n",
        "https://example.com/" + "a" * 2000,
    ],
)
def test_anything_but_a_plain_http_or_https_url_is_refused(url: str) -> None:
    with pytest.raises(RefusedDestination):
        Destination.parse(url)


def test_a_url_is_reduced_to_scheme_host_and_port() -> None:
    plain = Destination.parse("https://Hooks.Example.COM./path?q=1")
    literal = Destination.parse("http://[::1]:8080/")

    assert (plain.scheme, plain.host, plain.port, plain.address) == ("https", "hooks.example.com", 443, None)
    assert (literal.host, literal.port, literal.address) == ("::1", 8080, ip_address("::1"))


def test_a_destination_is_refused_when_any_of_its_addresses_is_not_public() -> None:
    destination = Destination.parse("https://hooks.example.com/")

    with pytest.raises(RefusedDestination) as refused:
        AddressPolicy().check(destination, [ip_address("93.184.216.34"), ip_address("10.0.0.1")])

    assert str(refused.value) == "hooks.example.com does not resolve to public addresses only"
    AddressPolicy().check(destination, [ip_address("93.184.216.34"), ip_address("2606:4700::1")])


def test_a_destination_without_addresses_is_refused() -> None:
    with pytest.raises(RefusedDestination):
        AddressPolicy().check(Destination.parse("https://hooks.example.com/"), [])


def test_a_literal_address_is_refused_with_its_class() -> None:
    with pytest.raises(RefusedDestination) as refused:
        AddressPolicy().check(Destination.parse("http://0x7f.1/"), [ip_address("127.0.0.1")])

    assert str(refused.value) == "0x7f.1 is loopback; webhooks go to public addresses only"


def test_the_allowlist_admits_networks_and_host_names_but_never_metadata_addresses() -> None:
    policy = AddressPolicy.allowing([" 127.0.0.1 ", "10.0.0.0/8", "Receiver.Internal", "169.254.0.0/16", ""])

    assert policy.refusal("anything", ip_address("127.0.0.1")) is None
    assert policy.refusal("anything", ip_address("::ffff:127.0.0.1")) is None
    assert policy.refusal("anything", ip_address("10.9.8.7")) is None
    assert policy.refusal("receiver.internal", ip_address("192.168.7.7")) is None
    assert policy.refusal("anything", ip_address("127.0.0.2")) == "loopback"
    assert policy.refusal("anything", ip_address("192.168.7.7")) == "private"
    assert policy.refusal("anything", ip_address("169.254.169.254")) == "a cloud metadata address"
    assert policy.refusal("receiver.internal", ip_address("169.254.169.254")) == "a cloud metadata address"
