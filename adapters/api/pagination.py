from __future__ import annotations

from urllib.parse import urlencode

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.reverse import reverse


def next_page_url(request: Request, view_name: str, cursor: str | None) -> str | None:
    """The URL of the next page: the same path and query, with the cursor the use case handed out."""
    if cursor is None:
        return None
    query = {**request.query_params.dict(), "cursor": cursor}
    path = request.resolver_match.kwargs if request.resolver_match else {}
    return f"{reverse(view_name, kwargs=path, request=request)}?{urlencode(query)}"


@extend_schema_field(OpenApiTypes.URI)
class NextPage(serializers.Field):
    """The next page's URL, from a page's `next_cursor`; null on the last page."""

    def __init__(self, view_name: str) -> None:
        super().__init__(source="next_cursor", allow_null=True)
        self.view_name = view_name

    def to_representation(self, cursor: str) -> str | None:
        return next_page_url(self.context["request"], self.view_name, cursor)
