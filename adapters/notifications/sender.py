"""The webhook sender over httpx.

It connects to the address it is given (the one the SSRF check approved) and to nothing
else: the URL's host is replaced by that address in a transport of its own, while the Host
header and the TLS server name (SNI, and so certificate verification) stay the URL's host.
So a name that resolves elsewhere a moment later (DNS rebinding) changes nothing. No
redirect is followed, proxies from the environment are ignored, connect and read are
bounded, and at most `max_body_bytes` of the answer are read.
"""

from __future__ import annotations

import ssl
import time

import httpx

from application.notifications.ports import WebhookExchange, WebhookRequest
from domain.notifications.destination import IPAddress


class PinnedTransport(httpx.BaseTransport):
    """Sends every request to one address, keeping the Host header and the TLS server name."""

    def __init__(self, address: IPAddress, *, verify: ssl.SSLContext | bool = True) -> None:
        self._address = address
        self._inner = httpx.HTTPTransport(verify=verify, retries=0)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        request.url = request.url.copy_with(host=str(self._address))
        request.extensions = {**request.extensions, "sni_hostname": host}
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


class HttpxWebhookSender:
    def __init__(
        self,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 10.0,
        max_body_bytes: int = 64 * 1024,
        verify: ssl.SSLContext | bool = True,  # certificates are always checked; tests bring their own CA
    ) -> None:
        self._timeout = httpx.Timeout(connect=connect_timeout, read=read_timeout, write=read_timeout, pool=1.0)
        self._max_body_bytes = max_body_bytes
        self._verify = verify

    def send(self, request: WebhookRequest) -> WebhookExchange:
        started = time.monotonic()
        # a client per request: a pooled connection opened for another host name must not be reused
        with httpx.Client(
            transport=PinnedTransport(request.address, verify=self._verify),
            timeout=self._timeout,
            follow_redirects=False,
            trust_env=False,
        ) as client:
            try:
                with client.stream("POST", request.url, headers=request.headers, content=request.body) as response:
                    self._read_some(response)
                    status = response.status_code
            except httpx.TimeoutException as exc:
                return self._failed(started, f"timed out ({type(exc).__name__})")
            except httpx.HTTPError as exc:
                return self._failed(started, f"{type(exc).__name__}: {exc}")
        return WebhookExchange(status=status, latency_ms=_ms_since(started))

    def _read_some(self, response: httpx.Response) -> None:
        """Read the answer up to the limit, and no further: its content is not needed."""
        read = 0
        for chunk in response.iter_raw():
            read += len(chunk)
            if read >= self._max_body_bytes:
                break

    @staticmethod
    def _failed(started: float, error: str) -> WebhookExchange:
        return WebhookExchange(status=None, latency_ms=_ms_since(started), error=error[:500])


def _ms_since(started: float) -> int:
    return round((time.monotonic() - started) * 1000)
