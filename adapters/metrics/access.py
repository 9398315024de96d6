"""Who may scrape metrics. With METRICS_TOKEN set, whoever sends `Authorization: Bearer
<token>`; without it, clients on the loopback interface only. The client address is the
socket's peer: X-Forwarded-For is never trusted, since any client can send it."""

from __future__ import annotations

import hmac
import ipaddress
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Refusal:
    status: int
    problem: str  # the problem type's slug (adapters.api.problems)
    title: str
    detail: str
    challenge: bool = False  # answer with `WWW-Authenticate: Bearer`


def refusal(*, token: str, authorization: str, client_address: str) -> Refusal | None:
    """None when this request may read the metrics, otherwise why not."""
    if token:
        scheme, _, given = authorization.partition(" ")
        if scheme.lower() != "bearer" or not given.strip():
            return Refusal(
                status=401,
                problem="not-authenticated",
                title="Not authenticated",
                detail="metrics need an Authorization: Bearer header",
                challenge=True,
            )
        if not hmac.compare_digest(given.strip().encode(), token.encode()):
            return Refusal(
                status=401,
                problem="authentication-failed",
                title="Authentication failed",
                detail="the metrics token is not valid",
                challenge=True,
            )
        return None
    if _is_loopback(client_address):
        return None
    return Refusal(
        status=403,
        problem="permission-denied",
        title="Permission denied",
        detail="without a metrics token, metrics answer only on the loopback interface",
    )


def _is_loopback(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip().removeprefix("[").removesuffix("]"))
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped.is_loopback
    return ip.is_loopback
