"""The OpenAPI description (drf-spectacular): every problem an endpoint can answer is in it.

Views list the problems of their own (`problem_responses`); `ProblemAutoSchema` adds the
ones every view can answer: 401 where a token is required, 406 for an Accept header no
renderer satisfies.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework.permissions import IsAuthenticated

from adapters.api.problems import PROBLEM_CONTENT_TYPE, ProblemOutput, problem_types, problem_uri


def problem_responses(*slugs: str) -> dict[Any, OpenApiResponse]:
    """One `application/problem+json` response per status, naming each problem type it may carry."""
    types = problem_types()
    by_status: dict[int, list[str]] = {}
    for slug in slugs:
        status = types[slug][0]
        if status is None:
            raise ValueError(f"{slug} has no fixed status to document")
        by_status.setdefault(status, []).append(slug)
    return {
        (status, PROBLEM_CONTENT_TYPE): OpenApiResponse(
            ProblemOutput, description=" or ".join(f"`{problem_uri(slug)}` ({types[slug][1]})" for slug in found)
        )
        for status, found in sorted(by_status.items())
    }


class ProblemAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        common = ["not-acceptable"]
        if any(isinstance(permission, IsAuthenticated) for permission in self.view.get_permissions()):
            common += ["not-authenticated", "authentication-failed"]
        for (status, media_type), response in problem_responses(*common).items():
            if str(status) not in responses:
                responses[str(status)] = self._get_response_for_code(  # type: ignore[no-untyped-call]
                    response, str(status), [media_type], direction
                )
        return responses
