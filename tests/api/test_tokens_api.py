"""API tokens at rest: hashed, expiring, listed and revoked by their owner, issued and rotated by command."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from adapters.orm import api_tokens
from adapters.orm.models import ApiTokenRecord

PROBLEM = "application/problem+json"


def _issue(username: str, *args: str) -> str:
    """`manage.py issue_token`, as `make token` runs it: the token is the last line."""
    out = io.StringIO()
    call_command("issue_token", username, *args, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip().splitlines()[-1]


def _client(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_the_command_prints_a_working_token_alone_on_the_last_line(db: None) -> None:
    token = _issue("carol")

    response = _client(token).get("/api/v1/jobs/")

    assert response.status_code == 200


def test_a_token_is_stored_only_as_its_digest(db: None) -> None:
    token = _issue("carol")

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM api_token")
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert token not in stored
    assert hashlib.sha512(token.encode()).hexdigest() in stored


def test_a_token_expires_after_the_configured_time_to_live(db: None) -> None:
    with override_settings(REST_KNOX={"TOKEN_TTL": timedelta(days=7), "AUTH_HEADER_PREFIX": "Token"}):
        _issue("carol")

    (record,) = ApiTokenRecord.objects.filter(user__username="carol")
    assert record.expiry is not None
    assert abs(record.expiry - (timezone.now() + timedelta(days=7))) < timedelta(minutes=1)


def test_an_expired_token_is_refused_with_a_401_problem(db: None) -> None:
    token = _issue("carol")
    ApiTokenRecord.objects.filter(user__username="carol").update(expiry=timezone.now() - timedelta(seconds=1))

    response = _client(token).get("/api/v1/jobs/")

    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    assert response.json()["type"] == "/problems/authentication-failed"


def test_an_owner_lists_its_live_tokens_and_sees_which_one_it_is_using(db: None) -> None:
    using, other = _issue("carol"), _issue("carol")
    _issue("dave")
    ApiTokenRecord.objects.create(user=api_tokens.user_named("carol")[0], expiry=timedelta(seconds=-1))

    response = _client(using).get("/api/v1/tokens/")

    assert response.status_code == 200
    listed = response.json()["results"]
    assert len(listed) == 2
    assert [token["current"] for token in listed].count(True) == 1
    assert set(listed[0]) == {"id", "created_at", "expires_at", "current"}
    assert using not in str(listed) and other not in str(listed)


def test_a_revoked_token_no_longer_authenticates(db: None) -> None:
    using, other = _issue("carol"), _issue("carol")
    listed = _client(using).get("/api/v1/tokens/").json()["results"]
    (other_id,) = [token["id"] for token in listed if not token["current"]]

    response = _client(using).delete(f"/api/v1/tokens/{other_id}/")

    assert response.status_code == 204
    assert _client(other).get("/api/v1/jobs/").status_code == 401
    assert _client(using).get("/api/v1/jobs/").status_code == 200


@pytest.mark.parametrize("whose", ["another user's", "no one's"])
def test_revoking_a_token_that_is_not_yours_is_a_404_problem(db: None, whose: str) -> None:
    mine, theirs = _issue("carol"), _issue("dave")
    their_id = _client(theirs).get("/api/v1/tokens/").json()["results"][0]["id"]
    token_id = their_id if whose == "another user's" else "00000000-0000-4000-8000-000000000000"

    response = _client(mine).delete(f"/api/v1/tokens/{token_id}/")

    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert response.json()["type"] == "/problems/not-found"
    assert _client(theirs).get("/api/v1/jobs/").status_code == 200


def test_rotating_revokes_every_other_token_of_the_user_only(db: None) -> None:
    old, daves = _issue("carol"), _issue("dave")

    new = _issue("carol", "--rotate")

    assert _client(old).get("/api/v1/jobs/").status_code == 401
    assert _client(new).get("/api/v1/jobs/").status_code == 200
    assert _client(daves).get("/api/v1/jobs/").status_code == 200


@pytest.mark.parametrize("username", ["", "   ", "two words", "semi;colon"])
def test_the_command_refuses_an_empty_or_invalid_user_name(db: None, username: str) -> None:
    with pytest.raises(CommandError):
        _issue(username)

    assert not ApiTokenRecord.objects.exists()


def test_a_token_is_checked_with_its_user_in_one_statement(db: None, settings: Any) -> None:
    settings.DATABASE_PREPARED_STATEMENTS = False  # the statement's text, not EXECUTE of its name
    token = _issue("carol")
    client = _client(token)

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/jobs/")

    token_reads = [q["sql"] for q in queries.captured_queries if '"api_token"' in q["sql"]]
    assert response.status_code == 200
    assert len(token_reads) == 1 and 'JOIN "auth_user"' in token_reads[0]


def test_a_wrong_token_with_a_live_token_s_key_or_an_inactive_user_s_token_is_refused(db: None) -> None:
    token = _issue("carol")
    forged = token[:15] + ("0" if token[15] != "0" else "1") + token[16:]  # same key (first 15), other digest
    responses = [_client(forged).get("/api/v1/jobs/")]
    get_user_model().objects.filter(username="carol").update(is_active=False)
    responses.append(_client(token).get("/api/v1/jobs/"))

    assert [r.status_code for r in responses] == [401, 401]
    assert all(r["Content-Type"] == PROBLEM for r in responses)
    assert responses[1].json()["detail"] == "User inactive or deleted."


def test_a_token_that_is_not_utf8_is_a_401_problem_not_a_500(db: None) -> None:
    response = _client("caf\xe9").get("/api/v1/jobs/")

    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM


def test_the_token_endpoints_are_in_the_openapi_schema(db: None) -> None:
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    assert schema["components"]["securitySchemes"]["tokenAuth"]["name"] == "Authorization"
    assert {"tokenAuth": []} in schema["paths"]["/api/v1/tokens/"]["get"]["security"]
    assert {"204", "404"} <= set(schema["paths"]["/api/v1/tokens/{token_id}/"]["delete"]["responses"])
