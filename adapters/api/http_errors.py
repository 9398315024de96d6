"""Errors the HTTP edge raises itself (about the request, not about a use case's objects).

Each maps to one problem type in `problems.py`.
"""

from __future__ import annotations

from rest_framework.exceptions import APIException


class LengthRequired(APIException):
    status_code = 411
    default_detail = "send the upload with a Content-Length header, not Transfer-Encoding: chunked"
    default_code = "length_required"


class InvalidLink(APIException):
    status_code = 403
    default_detail = "the link's signature is missing, malformed or does not match"
    default_code = "invalid_link"


class LinkExpired(APIException):
    status_code = 410
    default_detail = "the link has expired; get a fresh one from the report"
    default_code = "link_expired"
