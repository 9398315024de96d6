"""Renderers that let content negotiation accept a document's own media type.

A document (the HTML page, a CSV table) is streamed as it is stored, not rendered; without
a renderer for its media type, `Accept: text/html` (a browser, Swagger UI's "Try it out")
would get 406. A problem answered instead of the document is still JSON.
"""

from __future__ import annotations

from typing import Any

from rest_framework.renderers import BaseRenderer, JSONRenderer


class _DocumentRenderer(BaseRenderer):
    charset = None
    format = "json"  # what it renders is a problem, in JSON

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        return JSONRenderer().render(data, renderer_context=renderer_context)


class HtmlDocumentRenderer(_DocumentRenderer):
    media_type = "text/html"


class CsvDocumentRenderer(_DocumentRenderer):
    media_type = "text/csv"
