from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from rest_framework.request import Request
from rest_framework.reverse import reverse


def next_page_url(
    request: Request, view_name: str, cursor: str | None, kwargs: dict[str, Any] | None = None
) -> str | None:
    """The URL of the next page: the same query with the cursor the use case handed out."""
    if cursor is None:
        return None
    query = {**request.query_params.dict(), "cursor": cursor}
    return f"{reverse(view_name, kwargs=kwargs, request=request)}?{urlencode(query)}"
