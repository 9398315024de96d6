"""Who may scrape: a bearer token when one is set, the loopback interface otherwise."""

from __future__ import annotations

import pytest

from adapters.metrics.access import refusal


@pytest.mark.parametrize("address", ["127.0.0.1", "127.8.9.1", "::1", "[::1]", "::ffff:127.0.0.1"])
def test_loopback_clients_may_scrape_without_a_token(address: str) -> None:
    assert refusal(token="", authorization="", client_address=address) is None


@pytest.mark.parametrize("address", ["10.1.2.3", "::ffff:10.1.2.3", "2001:db8::2", "", "localhost", "unix:/x"])
def test_every_other_client_is_refused_without_a_token(address: str) -> None:
    refused = refusal(token="", authorization="Bearer anything", client_address=address)

    assert refused is not None and (refused.status, refused.problem) == (403, "permission-denied")


@pytest.mark.parametrize("authorization", ["Bearer t0ken", "bearer t0ken", "BEARER  t0ken "])
def test_with_a_token_any_client_with_it_may_scrape(authorization: str) -> None:
    assert refusal(token="t0ken", authorization=authorization, client_address="203.0.113.5") is None


@pytest.mark.parametrize(
    ("authorization", "problem"),
    [
        ("", "not-authenticated"),
        ("Bearer", "not-authenticated"),
        ("Basic t0ken", "not-authenticated"),
        ("Bearer t0ken-not", "authentication-failed"),
        ("Bearer T0KEN", "authentication-failed"),
    ],
)
def test_with_a_token_even_loopback_needs_it(authorization: str, problem: str) -> None:
    refused = refusal(token="t0ken", authorization=authorization, client_address="127.0.0.1")

    assert refused is not None and (refused.status, refused.problem, refused.challenge) == (401, problem, True)
