"""The SSRF guard and the httpx sender against a real receiver on loopback.

The receiver must get nothing from a URL the guard refuses, and everything once its address
is allowlisted. Addresses that must never be contacted from this machine (private,
link-local, ...) are tested with a name that resolves to loopback first and to that address
second: a guard that looked at the first address only would send to the receiver (and the
test would fail); the pinned sender never connects anywhere but the first address.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from adapters.memory.notifications import InMemoryHostResolver
from adapters.notifications.resolver import SocketHostResolver
from adapters.notifications.sender import HttpxWebhookSender
from application.notifications.destinations import DestinationCheck
from application.notifications.ports import HostResolver, WebhookExchange, WebhookRequest
from domain.notifications.destination import AddressPolicy, IPAddress
from domain.notifications.errors import RefusedDestination
from tests.webhook_receiver import Answer, Receiver, always, receiving

LOOPBACK = ipaddress.ip_address("127.0.0.1")


def deliver(
    url: str,
    *,
    allow: Sequence[str] = (),
    resolver: HostResolver | None = None,
    sender: HttpxWebhookSender | None = None,
) -> WebhookExchange:
    """What a delivery does: check the destination, then send to the address that was checked."""
    check = DestinationCheck(resolver=resolver or SocketHostResolver(), policy=AddressPolicy.allowing(allow))
    target = check(url)
    request = WebhookRequest(url=url, address=target.address, headers={"webhook-id": "msg_t"}, body=b"{}")
    return (sender or HttpxWebhookSender(connect_timeout=2, read_timeout=2)).send(request)


LOOPBACK_SPELLINGS = [
    "http://127.0.0.1:{port}/hook",
    "http://localhost:{port}/hook",
    "http://2130706433:{port}/hook",
    "http://0x7f.1:{port}/hook",
    "http://017700000001:{port}/hook",
    "http://127.1:{port}/hook",
    "http://[::ffff:127.0.0.1]:{port}/hook",
    "http://0.0.0.0:{port}/hook",
]


@pytest.mark.parametrize("template", LOOPBACK_SPELLINGS)
def test_a_loopback_receiver_gets_nothing_in_any_spelling_unless_allowlisted(template: str) -> None:
    with receiving() as receiver:
        url = template.format(port=receiver.port)

        with pytest.raises(RefusedDestination):
            deliver(url)
        refused_requests = len(receiver.requests)
        delivered = deliver(url, allow=["127.0.0.0/8", "0.0.0.0/32"])

    assert refused_requests == 0
    assert delivered.status == 200
    assert len(receiver.requests) == 1


def test_an_ipv6_loopback_receiver_gets_nothing_unless_allowlisted() -> None:
    with receiving(host="::1") as receiver:
        url = f"http://[::1]:{receiver.port}/hook"

        with pytest.raises(RefusedDestination):
            deliver(url)
        refused_requests = len(receiver.requests)
        delivered = deliver(url, allow=["::1"])

    assert (refused_requests, delivered.status, len(receiver.requests)) == (0, 200, 1)


FORBIDDEN = {
    "private": ["10.0.0.1", "172.16.0.1", "192.168.0.1", "fc00::1"],
    "link-local": ["169.254.1.1", "fe80::1"],
    "carrier-grade NAT": ["100.64.0.1"],
    "multicast": ["224.0.0.1", "ff02::1"],
    "reserved": ["240.0.0.1"],
    "unspecified": ["0.0.0.0", "::"],
    "loopback": ["::1"],
    "IPv4-mapped private": ["::ffff:10.0.0.1"],
}


@pytest.mark.parametrize(
    "address", [a for addresses in FORBIDDEN.values() for a in addresses], ids=lambda a: f"resolves-also-to-{a}"
)
def test_a_name_with_any_forbidden_address_is_refused_unless_that_address_is_allowlisted(address: str) -> None:
    with receiving() as receiver:
        resolver = InMemoryHostResolver({"hooks.test": [LOOPBACK, ipaddress.ip_address(address)]})
        url = f"http://hooks.test:{receiver.port}/hook"

        with pytest.raises(RefusedDestination):
            deliver(url, allow=["127.0.0.1"], resolver=resolver)
        refused_requests = len(receiver.requests)
        delivered = deliver(url, allow=["127.0.0.1", address], resolver=resolver)

    assert refused_requests == 0
    assert (delivered.status, len(receiver.requests)) == (200, 1)


@pytest.mark.parametrize("address", ["169.254.169.254", "fd00:ec2::254", "100.100.100.200"])
def test_a_cloud_metadata_address_is_refused_even_when_allowlisted(address: str) -> None:
    with receiving() as receiver:
        resolver = InMemoryHostResolver({"metadata.test": [LOOPBACK, ipaddress.ip_address(address)]})

        with pytest.raises(RefusedDestination):
            deliver(
                f"http://metadata.test:{receiver.port}/",
                allow=["127.0.0.1", address, "metadata.test"],
                resolver=resolver,
            )

    assert receiver.requests == []


class Rebinding:
    """A name that resolves to a public address when checked at creation, to loopback later."""

    def __init__(self) -> None:
        self.answers: list[list[IPAddress]] = [[ipaddress.ip_address("93.184.216.34")], [LOOPBACK]]

    def resolve(self, host: str, port: int) -> list[IPAddress]:
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


def test_a_name_rebound_to_loopback_after_its_check_at_creation_is_refused_at_delivery() -> None:
    resolver = Rebinding()
    with receiving() as receiver:
        url = f"http://rebind.test:{receiver.port}/"
        DestinationCheck(resolver=resolver, policy=AddressPolicy()).for_endpoint(url)

        with pytest.raises(RefusedDestination):
            deliver(url, resolver=resolver)

    assert receiver.requests == []


def test_the_request_goes_to_the_checked_address_with_the_url_s_host_header() -> None:
    # "pinned.test" resolves nowhere but in the test's resolver: only the checked address can be reached
    with receiving() as receiver:
        resolver = InMemoryHostResolver({"pinned.test": [LOOPBACK]})

        delivered = deliver(f"http://pinned.test:{receiver.port}/hook", allow=["127.0.0.1"], resolver=resolver)

    [request] = receiver.requests
    assert delivered.status == 200
    assert request.headers["Host"] == f"pinned.test:{receiver.port}"


def test_tls_is_verified_against_the_url_s_host_while_connecting_to_the_checked_address(tmp_path: Path) -> None:
    client_context, server_context = certificates_for("hooks.test", tmp_path)
    resolver = InMemoryHostResolver({"hooks.test": [LOOPBACK], "other.test": [LOOPBACK]})
    sender = HttpxWebhookSender(connect_timeout=2, read_timeout=2, verify=client_context)
    with Receiver(always(204), tls=server_context) as receiver:
        delivered = deliver(
            f"https://hooks.test:{receiver.port}/", allow=["127.0.0.1"], resolver=resolver, sender=sender
        )
        mismatched = deliver(
            f"https://other.test:{receiver.port}/", allow=["127.0.0.1"], resolver=resolver, sender=sender
        )

    assert delivered.status == 204
    assert mismatched.status is None and "certificate" in mismatched.error.lower()


def test_a_redirect_is_not_followed() -> None:
    with receiving(lambda received, seen: Answer(status=302, headers={"location": "/elsewhere"})) as receiver:
        delivered = deliver(f"http://127.0.0.1:{receiver.port}/hook", allow=["127.0.0.1"])

    assert delivered.status == 302
    assert [r.path for r in receiver.requests] == ["/hook"]


def test_a_receiver_slower_than_the_read_timeout_is_no_answer() -> None:
    sender = HttpxWebhookSender(connect_timeout=2, read_timeout=0.5)
    with receiving(lambda received, seen: Answer(delay=2)) as receiver:
        started = time.monotonic()
        delivered = deliver(f"http://127.0.0.1:{receiver.port}/", allow=["127.0.0.1"], sender=sender)

    assert delivered.status is None and delivered.error.startswith("timed out")
    assert time.monotonic() - started < 1.5


def test_a_closed_port_is_no_answer() -> None:
    with receiving() as receiver:
        port = receiver.port

    delivered = deliver(f"http://127.0.0.1:{port}/", allow=["127.0.0.1"])

    assert delivered.status is None and "ConnectError" in delivered.error


def test_an_endless_answer_is_read_up_to_64_kib_and_no_further() -> None:
    with receiving(lambda received, seen: Answer(endless=True)) as receiver:
        started = time.monotonic()
        delivered = deliver(f"http://127.0.0.1:{receiver.port}/", allow=["127.0.0.1"])
        elapsed = time.monotonic() - started

    assert delivered.status == 200
    assert elapsed < 5, "a sender reading the whole 128 MiB answer would still be reading"
    assert receiver.endless_bytes_written < 128 * 1024 * 1024


def certificates_for(host: str, folder: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A throwaway CA and a server certificate for `host`: (client context trusting the CA, server context)."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "reportflow test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    (folder / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    client = ssl.create_default_context(cafile=str(folder / "ca.pem"))
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(str(folder / "cert.pem"), str(folder / "key.pem"))
    return client, server
