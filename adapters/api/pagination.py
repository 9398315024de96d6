"""Cursor pagination at the HTTP edge: the query a page is asked with, and the next page's link."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.reverse import reverse

# the cursors we hand out are about 110 characters; the bound keeps any request line of a
# documented query, each character percent-encoded, under the web server's 4 KiB limit
MAX_CURSOR_LENGTH = 200


class PageFilter(serializers.Serializer):
    """The query of a cursor-paginated list."""

    cursor = serializers.CharField(
        required=False, max_length=MAX_CURSOR_LENGTH, help_text="from the previous page's `next` link"
    )
    limit = serializers.IntegerField(required=False, min_value=1, max_value=500, default=50)


def next_page_url(
    request: Request, view_name: str, cursor: str | None, kwargs: dict[str, Any] | None = None
) -> str | None:
    """The URL of the next page: the same path (the request's own arguments unless `kwargs`)
    and query, with the cursor the use case handed out."""
    if cursor is None:
        return None
    query = {**request.query_params.dict(), "cursor": cursor}
    if kwargs is None:
        kwargs = request.resolver_match.kwargs if request.resolver_match else {}
    return f"{reverse(view_name, kwargs=kwargs, request=request)}?{urlencode(query)}"


@extend_schema_field(OpenApiTypes.URI)
class NextPage(serializers.Field):
    """The next page's URL, from a page's `next_cursor`; null on the last page. The page's own
    URL arguments (an endpoint's id for its deliveries) carry over."""

    def __init__(self, view_name: str) -> None:
        super().__init__(source="next_cursor", allow_null=True)
        self.view_name = view_name

    def to_representation(self, cursor: str) -> str | None:
        request = self.context["request"]
        match = getattr(request, "resolver_match", None)
        return next_page_url(request, self.view_name, cursor, kwargs=match.kwargs if match else None)
