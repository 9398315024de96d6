"""A small HTTP server for a process that serves no HTTP of its own (a Celery worker's main
process): GET /metrics answers the counts of every process of its multiprocess directory,
behind the same guard as the web's /metrics. It runs in a daemon thread."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from adapters.metrics import access, exposition

StartResponse = Callable[..., Any]


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # scrapes are not worth a log line each
        return None


def metrics_app(*, token: str) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "/") not in ("/", "/metrics"):
            return _answer(start_response, "404 Not Found", "text/plain", b"not found\n")
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return _answer(start_response, "405 Method Not Allowed", "text/plain", b"GET only\n", [("Allow", "GET")])
        refused = access.refusal(
            token=token,
            authorization=environ.get("HTTP_AUTHORIZATION", ""),
            client_address=environ.get("REMOTE_ADDR", ""),
        )
        if refused is not None:
            body = {
                "type": f"/problems/{refused.problem}",
                "title": refused.title,
                "status": refused.status,
                "detail": refused.detail,
            }
            extra = [("WWW-Authenticate", 'Bearer realm="metrics"')] if refused.challenge else []
            status = f"{refused.status} {refused.title}"
            return _answer(start_response, status, "application/problem+json", json.dumps(body).encode(), extra)
        return _answer(start_response, "200 OK", exposition.CONTENT_TYPE, exposition.render())

    return app


def serve(address: str, port: int, *, token: str) -> WSGIServer:
    """Listen on (address, port) in a daemon thread; `shutdown()` the result to stop."""
    server = make_server(address, port, metrics_app(token=token), server_class=_Server, handler_class=_QuietHandler)
    threading.Thread(target=server.serve_forever, name="metrics-exporter", daemon=True).start()
    return server


def _answer(
    start_response: StartResponse,
    status: str,
    content_type: str,
    body: bytes,
    headers: list[tuple[str, str]] | None = None,
) -> list[bytes]:
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body))), *(headers or [])])
    return [body]
