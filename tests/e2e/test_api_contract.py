"""The API contract, checked against the live service: schemathesis reads the OpenAPI schema
that gunicorn serves, generates requests for every operation (valid ones and broken ones)
and checks every answer against the same schema. No request may get a server error, and no
status, content type, header or body may differ from what the schema says.

The stack runs on PostgreSQL and Redis with a worker, so the report it seeds has a result.
Path parameters are drawn from random ids (the 404 side) and from the ids of the seeded
objects (the side with a body: tests/e2e/contract_hooks.py). The DELETEs run after every
other operation, on objects of their own, so they take away nothing the others read.
Uploads are generated too: the schema's `format: binary` file makes schemathesis send one.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from tests.e2e.contract_hooks import CONTRACT_IDS_VARIABLE
from tests.e2e.stack import BIN, ROOT, Stack, _manage, free_port, running_stack, wait_for_job

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
]
# per operation and phase; with the coverage phase's own cases this keeps the whole run to
# about two minutes on a busy 2-core machine
MAX_EXAMPLES = 25
# operations whose answer depends on the state of what they act on: a 409 got through too
STATEFUL = {
    ("POST", "/api/v1/jobs/{id}/cancel/"),
    ("POST", "/api/v1/jobs/{id}/retry/"),
    ("POST", "/api/v1/dead-letters/{id}/replay/"),
    ("DELETE", "/api/v1/reports/{id}/"),  # the seeded report is the source of the seeded schedules
}
# no cache: it would replay requests of earlier runs (against other databases) from the
# working directory, so a run would depend on the ones before it
CONFIG = Path(__file__).with_name("contract.toml")
PATH_PARAMETER = re.compile(r"\{[^}]+\}")
UUID_PATTERN = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def seed(stack: Stack) -> dict[str, dict[str, str]]:
    """One of each object, for the reading operations ("read"), another one for each DELETE
    ("deleted"), and the signature of the report's HTML page ("query")."""
    with stack.client() as client:
        accepted = client.post(
            "/api/v1/reports/", files={"file": ("sample.csv", (ROOT / "samples" / "sample.csv").read_bytes())}
        )
        assert accepted.status_code == 202, accepted.text
        job = wait_for_job(client, accepted.headers["Location"], {"succeeded", "failed", "dead"})
        assert job["status"] == "succeeded", stack.log_tail()
        report = client.get(str(job["links"]["report"])).json()  # type: ignore[index]
        schedules = [
            client.post("/api/v1/schedules/", json={"report_id": report["id"], "cron": "0 3 * * *"}).json()["id"]
            for _ in range(2)
        ]
        hook = f"http://127.0.0.1:{free_port()}/hook"
        webhooks = [
            client.post("/api/v1/webhooks/", json={"url": hook, "events": ["job.succeeded"]}).json()["id"]
            for _ in range(2)
        ]
        delivery = client.post(f"/api/v1/webhooks/{webhooks[0]}/test/").json()["id"]
        _manage(stack.env, "issue_token", "e2e")  # another token of the same user, to be revoked
        tokens = client.get("/api/v1/tokens/").json()["results"]
    return {
        "read": {
            "report_id": report["id"],
            "job_id": str(job["id"]),
            "schedule_id": schedules[0],
            "endpoint_id": webhooks[0],
            "delivery_id": delivery,
        },
        "deleted": {
            "schedule_id": schedules[1],
            "endpoint_id": webhooks[1],
            "token_id": next(token["id"] for token in tokens if not token["current"]),
        },
        "query": dict(parse_qsl(urlsplit(report["links"]["html_signed"]).query)),
    }


def closed(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with every response object closed (`additionalProperties: false`), so a key
    the schema does not document fails the run. The served schema leaves them open, so that a
    new field does not break a client that validates strictly."""
    for name, component in schema["components"]["schemas"].items():
        if not name.endswith("Request") and "properties" in component:
            component.setdefault("additionalProperties", False)
    return schema


def schemathesis(stack: Stack, ids: dict[str, dict[str, str]], schema: Path, report: Path, *selection: str) -> str:
    """Run schemathesis over the selected operations of `schema` against the live service; its
    output, or an AssertionError with it when a check failed."""
    done = subprocess.run(
        [
            str(BIN / "schemathesis"),
            "--no-color",
            "--config-file",
            str(CONFIG),
            "run",
            str(schema),
            "--url",
            stack.base_url,
            *selection,
            "--checks",
            ",".join(CHECKS),
            # no stateful phase: it would chain operations at random, and the contract is
            # about each answer; examples (none in the schema yet), the schema's edge cases
            # (coverage) and generated requests (fuzzing) cover every operation
            "--phases",
            "examples,coverage,fuzzing",
            "--max-examples",
            str(MAX_EXAMPLES),
            "--generation-deterministic",
            "--suppress-health-check",
            "too_slow,filter_too_much",
            "--request-timeout",
            "30",
            "--header",
            f"Authorization: Token {stack.token}",
            "--report",
            "har",
            "--report-har-path",
            str(report),
        ],
        cwd=ROOT,
        env={**stack.env, "SCHEMATHESIS_HOOKS": "tests.e2e.contract_hooks", CONTRACT_IDS_VARIABLE: json.dumps(ids)},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, f"{done.stdout[-20000:]}\n{done.stderr[-3000:]}\n{stack.log_tail(30)}"
    return done.stdout


def answers(report: Path) -> dict[tuple[str, str], set[int]]:
    """The statuses each path (its ids made generic) and method got, from a HAR report."""
    seen: dict[tuple[str, str], set[int]] = {}
    for entry in json.loads(report.read_text())["log"]["entries"]:
        path = UUID_PATTERN.sub("{id}", urlsplit(entry["request"]["url"]).path)
        seen.setdefault((entry["request"]["method"], path), set()).add(entry["response"]["status"])
    return seen


def through(operation: tuple[str, str]) -> set[int]:
    """The statuses that show a request got through to the use case: a 2xx, or for an
    operation whose answer depends on the state of what it acts on, its 409 too."""
    return set(range(200, 300)) | ({409} if operation in STATEFUL else set())


def test_every_answer_of_the_live_service_is_the_one_its_schema_describes(
    tmp_path: Path, fresh_database: str, fresh_redis: str
) -> None:
    # webhooks may point at loopback here, so the seeded endpoints are accepted (nothing listens)
    env = {"WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8"}
    with running_stack(tmp_path / "var", database_url=fresh_database, broker_url=fresh_redis, extra_env=env) as stack:
        ids = seed(stack)
        schema = httpx.get(f"{stack.base_url}/api/schema/", params={"format": "json"}, timeout=30).json()
        (tmp_path / "schema.json").write_text(json.dumps(closed(schema)))
        started = time.monotonic()
        # schemathesis feeds ids from answers back into requests: a DELETE would take away the
        # seeded objects, and revoke the token it read in GET /tokens/, the one it authenticates
        # with. So the DELETEs come last.
        output = schemathesis(stack, ids, tmp_path / "schema.json", tmp_path / "all.har", "--exclude-method", "DELETE")
        schemathesis(stack, ids, tmp_path / "schema.json", tmp_path / "delete.har", "--include-method", "DELETE")
        elapsed = time.monotonic() - started

    print(output[-2500:], f"schemathesis ran for {elapsed:.0f} s")
    seen = answers(tmp_path / "all.har") | answers(tmp_path / "delete.har")
    operations = {
        (method.upper(), PATH_PARAMETER.sub("{id}", path)) for path, item in schema["paths"].items() for method in item
    }
    assert len(operations) >= 34
    # every operation was called, and got past validation to an answer with a body at least once
    assert operations <= set(seen), operations - set(seen)
    assert not [operation for operation in operations if not (seen[operation] & through(operation))]
    # the uploads had a file
    assert 202 in seen["POST", "/api/v1/reports/"]
