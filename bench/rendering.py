"""What rendering jobs costs the API, in one process without a database: a submit's 202 body
and a page of 50 jobs. The code as it is runs alternately with three references, each undoing
a saving: links reversed by DRF's `reverse` for every link (what
`adapters.links.absolute_url` spares after a view's first link); DRF's own path, every field
copied and bound for each job (what the output serializers' planned fields spare); and that
path with the declared fields copied by `copy.copy` rather than shallowly by hand. Prints the
medians of 9 rounds, in microseconds. Not a test.

    .venv/bin/python -m bench.rendering
"""

from __future__ import annotations

import copy
import os
import secrets
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

ROUNDS = 9
PAGE = 50


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(48))
    os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="reportflow-rendering-"))
    import django

    django.setup()
    from rest_framework import serializers
    from rest_framework.request import Request
    from rest_framework.reverse import reverse
    from rest_framework.test import APIRequestFactory

    from adapters import links
    from adapters.api.representations import JobOutput

    request = Request(APIRequestFactory().get("/api/v1/jobs/", HTTP_HOST="testserver"))
    one, page = job_view(), [job_view() for _ in range(PAGE)]

    def drf_reverse(view_name: str, kwargs: Any, request: Any, base: Any = None) -> str:
        return reverse(view_name, kwargs=dict(kwargs), request=request)

    def plain_copy(field: Any) -> Any:
        if isinstance(field, serializers.BaseSerializer):
            return copy.deepcopy(field)
        fresh = copy.copy(field)
        for state in ("field_name", "parent", "source_attrs"):
            fresh.__dict__.pop(state, None)
        return fresh

    variants: dict[str, Callable[[], Any]] = {
        "as it is": lambda: replaced(links, "absolute_url", links.absolute_url),
        "links by DRF reverse": lambda: replaced(links, "absolute_url", drf_reverse),
        "every field bound (DRF's path)": drf_path,
        "DRF's path, fields by copy.copy": lambda: drf_path(copied=plain_copy),
    }
    renders = {
        "202 body": (lambda: JobOutput(one, context={"request": request}).data, 1000),
        f"page of {PAGE} jobs": (lambda: JobOutput(page, many=True, context={"request": request}).data, 20),
    }
    for what, (render, times) in renders.items():
        results: dict[str, list[float]] = {name: [] for name in variants}
        for _ in range(ROUNDS):
            for name, variant in variants.items():
                with variant():
                    render()  # the first of a kind reverses its paths
                    started = time.perf_counter()
                    for _ in range(times):
                        render()
                    results[name].append((time.perf_counter() - started) / times * 1e6)
        for name, seconds in results.items():
            low, high = min(seconds), max(seconds)
            print(f"{what}, {name}: {statistics.median(seconds):.0f} us ({low:.0f}-{high:.0f})")


def job_view() -> Any:
    """A report's job as a client sees it, freshly queued (Django set up first)."""
    from application.jobs.read_models import JobView
    from domain.job import Job

    created = Job.create(
        id=uuid.uuid4(),
        kind="report.process",
        owner_id=1,
        queue="default",
        max_attempts=3,
        now=datetime.now(UTC),
        actor="bench",
        payload={"report_id": str(uuid.uuid4())},
    )
    return JobView.of(created, internals=False)


@contextmanager
def replaced(owner: Any, name: str, value: Any) -> Iterator[None]:
    """`owner.name` is `value` while the block runs."""
    kept = getattr(owner, name)
    setattr(owner, name, value)
    try:
        yield
    finally:
        setattr(owner, name, kept)


@contextmanager
def drf_path(copied: Callable[[Any], Any] | None = None) -> Iterator[None]:
    """Output serializers render through DRF's own path while the block runs: every field
    copied (by `copied`, else as they copy them) and bound for each object."""
    from rest_framework import serializers

    from adapters import output_serializers

    drf_s = serializers.Serializer.to_representation
    with (
        replaced(output_serializers.OutputSerializer, "to_representation", drf_s),
        replaced(output_serializers, "_fresh", copied or output_serializers._fresh),
    ):
        yield


if __name__ == "__main__":
    main()
