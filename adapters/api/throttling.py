"""Submission rate limits as a DRF throttle, answering the IETF RateLimit header fields
(draft-ietf-httpapi-ratelimit-headers) on every answer of a limited endpoint, 429 included:
`RateLimit-Policy: "user";q=120;w=60` and `RateLimit: "user";r=37;t=12`."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import Throttled
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from adapters.api.owner import owner_id
from adapters.rate_limits.limits import RateLimitExceeded, RatePolicy, RateState
from config.container import container


class RateLimited(Throttled):
    """429 with Retry-After: a submission rate limit was reached."""

    def __init__(self, exceeded: RateLimitExceeded) -> None:
        super().__init__(wait=exceeded.state.reset, detail=str(exceeded))
        self.policy = exceeded.state.policy


def policy_header(policies: list[RatePolicy]) -> str:
    return ", ".join(f'"{p.name}";q={p.quota};w={p.window}' for p in policies)


def state_header(states: list[RateState]) -> str:
    return ", ".join(f'"{s.policy.name}";r={s.remaining};t={s.reset}' for s in states)


RATE_LIMIT_HEADERS = [
    OpenApiParameter(
        "RateLimit-Policy",
        type=OpenApiTypes.STR,
        location=OpenApiParameter.HEADER,
        response=True,
        description='the limits that apply (when configured), e.g. `"user";q=120;w=60, "global";q=1000;w=60`: '
        "q requests per w seconds",
    ),
    OpenApiParameter(
        "RateLimit",
        type=OpenApiTypes.STR,
        location=OpenApiParameter.HEADER,
        response=True,
        description='what is left of each, e.g. `"user";r=37;t=12`: r requests for the next t seconds',
    ),
]


class SubmitRateThrottle(BaseThrottle):
    """Limits the view's POSTs; what it counted stays on the request, for the headers."""

    scope = "submit"

    def allow_request(self, request: Request, view: APIView) -> bool:
        if request.method != "POST" or request.user is None or not isinstance(view, RateLimitedApi):
            return True
        try:
            view.rate_limits = container.submit_rate_limits().check(self.scope, owner_id(request))
        except RateLimitExceeded as exceeded:
            view.rate_limits = exceeded.counted
            raise RateLimited(exceeded) from None
        return True


class RateLimitedApi(APIView):
    """An APIView whose POST is rate-limited and answers the RateLimit header fields."""

    throttle_classes = [SubmitRateThrottle]
    rate_limits: list[RateState] = []  # what the throttle counted for this request (a view serves one)

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        states = self.rate_limits
        if states:
            response["RateLimit-Policy"] = policy_header([s.policy for s in states])
            response["RateLimit"] = state_header(states)
        return response
