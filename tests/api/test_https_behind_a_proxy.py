"""Production's https settings at work: redirects, probes over plain http, links behind a TLS proxy."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from adapters.memory import InMemoryTaskQueue

# what production has by default (tests run on plain http, so tests/settings.py turns the redirect off)
PRODUCTION = override_settings(
    SECURE_SSL_REDIRECT=True,
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
    SECURE_HSTS_SECONDS=31536000,
    SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
)
# a proxy passes the Host the client asked for, and says the client came over TLS
BEHIND_TLS_PROXY = {"HTTP_HOST": "testserver", "HTTP_X_FORWARDED_PROTO": "https"}


@PRODUCTION
def test_a_plain_http_request_is_redirected_to_https(alice: APIClient) -> None:
    response = alice.get("/api/v1/jobs/?status=queued")

    assert response.status_code == 301
    assert response["Location"] == "https://testserver/api/v1/jobs/?status=queued"


@PRODUCTION
@pytest.mark.parametrize("probe", ["/healthz", "/readyz"])
def test_the_probes_answer_an_orchestrator_over_plain_http(db: None, probe: str) -> None:
    response = APIClient().get(probe)

    assert response.status_code in {200, 503}
    assert "Location" not in response


@PRODUCTION
def test_behind_a_tls_proxy_the_location_and_links_are_https_and_hsts_is_sent(
    alice: APIClient, task_queue: InMemoryTaskQueue, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    with django_capture_on_commit_callbacks(execute=True):
        response = alice.post(
            "/api/v1/reports/", {"file": SimpleUploadedFile("a.csv", b"a\n1\n")}, format="multipart", **BEHIND_TLS_PROXY
        )

    assert response.status_code == 202
    assert response["Location"].startswith("https://testserver/api/v1/jobs/")
    assert response.json()["links"]["report"].startswith("https://")
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_no_response_may_be_framed(alice: APIClient) -> None:
    response = alice.get("/api/v1/jobs/")

    assert response["X-Frame-Options"] == "DENY"
