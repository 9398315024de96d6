"""A real HTTP receiver on loopback for webhook tests: it records every request and answers
as the test decides (a status, a delay, a redirect, an endless body, or blocking until told)."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float


@dataclass
class Answer:
    status: int = 200
    delay: float = 0.0  # seconds before answering (longer than the sender's read timeout: a timeout)
    headers: dict[str, str] = field(default_factory=dict)
    endless: bool = False  # a body that never ends
    block: threading.Event | None = None  # answer only once this is set


Respond = Callable[[Received, int], Answer]  # the request and how often its webhook-id came before


def always(status: int = 200) -> Respond:
    return lambda received, seen: Answer(status=status)


OK = always(200)


class Receiver:
    def __init__(self, respond: Respond = OK, host: str = "127.0.0.1", tls: ssl.SSLContext | None = None):
        self.respond = respond
        self.requests: list[Received] = []
        self.accepted: list[Received] = []  # the requests it answered 2xx (or would have, when it blocked)
        self.endless_bytes_written = 0
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                received = Received(
                    path=self.path, headers=dict(self.headers.items()), body=self.rfile.read(length), at=time.time()
                )
                with receiver._lock:
                    seen = sum(
                        1
                        for r in receiver.requests
                        if r.path == received.path and r.headers.get("webhook-id") == received.headers.get("webhook-id")
                    )
                    receiver.requests.append(received)
                answer = receiver.respond(received, seen)
                if 200 <= answer.status < 300:
                    with receiver._lock:
                        receiver.accepted.append(received)
                if answer.block is not None:
                    answer.block.wait(60)
                time.sleep(answer.delay)
                with suppress(BrokenPipeError, ConnectionResetError):
                    self._answer(answer)

            def _answer(self, answer: Answer) -> None:
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                if answer.endless:
                    self.send_header("content-type", "application/octet-stream")
                    self.send_header("transfer-encoding", "chunked")
                    self.end_headers()
                    chunk = b"x" * 65536
                    framed = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
                    for _ in range(2000):  # 128 MiB at most, unless the client hangs up first
                        self.wfile.write(framed)
                        receiver.endless_bytes_written += len(chunk)
                    return
                body = b'{"ok":true}'
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            address_family = socket.AF_INET6 if ":" in host else socket.AF_INET

        self._server = Server((host, 0), Handler)
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def by_id(self) -> dict[tuple[str, str], list[Received]]:
        """Requests grouped by (path, webhook-id)."""
        grouped: dict[tuple[str, str], list[Received]] = {}
        for received in list(self.requests):
            grouped.setdefault((received.path, received.headers.get("webhook-id", "")), []).append(received)
        return grouped


@contextmanager
def receiving(respond: Respond = OK, host: str = "127.0.0.1") -> Iterator[Receiver]:
    with Receiver(respond, host=host) as receiver:
        yield receiver
