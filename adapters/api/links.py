"""Links: every representation carries the URLs a client follows next, so a client that
starts from a `Location` header never builds a URL itself."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from operator import attrgetter
from typing import Any
from urllib.parse import urlencode

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.reverse import reverse


@extend_schema_field(OpenApiTypes.URI)
class Link(serializers.Field):
    """An absolute URL reversed from the object's attributes (`path`: URL kwarg -> attribute,
    `query`: query parameter -> attribute; dotted for a nested one). With `when`, the link is absent unless
    `when(object)` holds (the schema then marks it optional)."""

    def __init__(
        self,
        view_name: str,
        *,
        path: Mapping[str, str] | None = None,
        query: Mapping[str, str] | None = None,
        when: Callable[[Any], bool] | None = None,
        **options: Any,
    ) -> None:
        super().__init__(source="*", required=when is None, **options)
        self.view_name = view_name
        self.path = dict(path or {})
        self.query = dict(query or {})
        self.when = when

    def get_attribute(self, instance: Any) -> str:
        if self.when is not None and not self.when(instance):
            raise SkipField()
        kwargs = {name: attrgetter(attribute)(instance) for name, attribute in self.path.items()}
        url = reverse(self.view_name, kwargs=kwargs, request=self.context["request"])
        if self.query:
            url += "?" + urlencode(
                {name: str(attrgetter(attribute)(instance)) for name, attribute in self.query.items()}
            )
        return url

    def to_representation(self, value: str) -> str:
        return value
