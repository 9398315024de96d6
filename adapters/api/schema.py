"""The OpenAPI description (drf-spectacular): every problem and header an endpoint can answer is in it.

Views list the problems of their own (`problem_responses`); `ProblemAutoSchema` adds the
ones every view can answer: 401 where a token is required, 406 for an Accept header no
renderer satisfies, and what parsing a request body can refuse (400, 415) where there is one;
and the web server's own 414, which no view sees.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.permissions import IsAuthenticated

from adapters.api.idempotency_key import MAX_KEY_LENGTH
from adapters.api.problems import PROBLEM_CONTENT_TYPE, ProblemOutput, problem_types, problem_uri

_BODY_METHODS = {"POST", "PUT", "PATCH"}
# what reading any request body can refuse: a field, the parse, the media type, Django's own limits
_BODY_PROBLEMS = ("validation-error", "malformed-request", "unsupported-media-type", "bad-request")


class ProblemResponse(OpenApiResponse):
    """An `application/problem+json` response that remembers which problem types it names."""

    def __init__(self, slugs: Iterable[str]) -> None:
        self.slugs = tuple(slugs)
        types = problem_types()
        description = " or ".join(f"`{problem_uri(slug)}` ({types[slug][1]})" for slug in self.slugs)
        super().__init__(ProblemOutput, description=description)


def problem_responses(*slugs: str) -> dict[Any, OpenApiResponse]:
    """One `application/problem+json` response per status, naming each problem type it may carry."""
    types = problem_types()
    by_status: dict[int, list[str]] = {}
    for slug in dict.fromkeys(slugs):
        status = types[slug][0]
        if status is None:
            raise ValueError(f"{slug} has no fixed status to document")
        by_status.setdefault(status, []).append(slug)
    return {(status, PROBLEM_CONTENT_TYPE): ProblemResponse(found) for status, found in sorted(by_status.items())}


def location_header(*statuses: int, description: str) -> OpenApiParameter:
    """The `Location` response header, always sent with these statuses."""
    return OpenApiParameter(
        "Location",
        type=OpenApiTypes.URI,
        location=OpenApiParameter.HEADER,
        response=list(statuses),
        required=True,
        description=description,
    )


IDEMPOTENCY_KEY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    type={"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
    location=OpenApiParameter.HEADER,
    required=False,
    description="Same key + same request replays the first response; another request is 422; "
    "a duplicate sent while the first is recorded waits for it and replays it (409 for a key still "
    "marked in flight). Keys are per user and live 24 h.",
)


# gunicorn refuses a request line over its limit itself, with a page of its own
_URI_TOO_LONG = OpenApiResponse(
    OpenApiTypes.STR,
    description="the request line (path and query) is over the web server's limit, 4094 bytes with gunicorn: "
    "it answers this HTML page itself, before the API sees the request",
)


class ProblemAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        declared = self.get_response_serializers()
        listed: Iterable[object] = declared.values() if isinstance(declared, dict) else []
        own = [slug for response in listed if isinstance(response, ProblemResponse) for slug in response.slugs]
        for (status, media_type), problems in problem_responses(*own, *self._common_problems()).items():
            responses[str(status)] = self._get_response_for_code(  # type: ignore[no-untyped-call]
                problems, str(status), [media_type], direction
            )
        responses["414"] = self._get_response_for_code(  # type: ignore[no-untyped-call]
            _URI_TOO_LONG, "414", ["text/html"], direction
        )
        return dict(sorted(responses.items()))

    def _common_problems(self) -> list[str]:
        common = ["not-acceptable"]
        if any(isinstance(permission, IsAuthenticated) for permission in self.view.get_permissions()):
            common += ["not-authenticated", "authentication-failed"]
        if self.method in _BODY_METHODS and self.get_request_serializer() is not None:
            common += _BODY_PROBLEMS
        return common
