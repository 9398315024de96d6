"""Output serializers that render without building a bound copy of every field.

DRF builds every field of a serializer anew for each object it renders: it copies each
declared field, binds the copy to the serializer, then reads the object through it. For a
job (22 fields and up to 13 links) that was most of rendering a submit's 202 body and a
page of jobs (641 against 198 us a job planned, `bench.hot_calls`). An output serializer
here plans its fields once per class instead:

- a plain field (a UUID, text, number, boolean, choice or timestamp, read from an attribute
  of the same name or a `source` without dots) is read with getattr and turned into its
  primitive by the declared field itself: those fields' `to_representation` uses neither
  their binding nor the context;
- a link (`adapters.links.Link`) is reversed from the object and the request, with what
  every link of one object shares (the script prefix, the URL conf, the scheme and host)
  looked up once;
- any other field (a nested serializer, one that withholds a value) is copied and bound as
  DRF does, alone.

Anything the plain path cannot read the way DRF would (a missing attribute, a callable)
goes through DRF's own path for that field, so the output is DRF's in every case
(tests/api/test_output_serializers.py renders both ways and compares)."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from functools import cache, partial
from typing import Any

from rest_framework import fields as drf_fields
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject

# Fields whose to_representation needs no binding and no context; exact types, not
# subclasses, which may read their value otherwise.
_PLAIN_TYPES = frozenset(
    {
        drf_fields.UUIDField,
        drf_fields.CharField,
        drf_fields.IntegerField,
        drf_fields.FloatField,
        drf_fields.BooleanField,
        drf_fields.ChoiceField,
        drf_fields.DateTimeField,
    }
)
_PLAIN, _LINK, _BOUND = "plain", "link", "bound"


class OutputSerializer(serializers.Serializer):
    """For rendering only: never bound to input data."""

    def get_fields(self) -> dict[str, Any]:
        return {name: _fresh(field) for name, field in self._declared_fields.items()}

    def to_representation(self, instance: Any) -> dict[str, Any]:
        found: dict[str, Any] = {}
        links: Any = None  # what this object's links share, once one needs it (with the request)
        read = instance.__getitem__ if isinstance(instance, Mapping) else partial(getattr, instance)
        for name, kind, field, attribute in _plan(type(self)):
            if kind == _PLAIN:
                try:
                    value = read(attribute)
                except (KeyError, AttributeError):
                    value = _UNREAD
                if value is None:
                    found[name] = None
                    continue
                if value is not _UNREAD and not callable(value):
                    found[name] = field.to_representation(value)
                    continue
            elif kind == _LINK:
                if links is None:
                    request = self.context["request"]
                    links = field.shared(request)
                url = field.url(instance, request, links)
                if url is not None:
                    found[name] = url
                continue
            self._represent_bound(found, name, field, instance)
        return found

    def _represent_bound(self, found: dict[str, Any], name: str, declared: Any, instance: Any) -> None:
        """DRF's own path, for one field: a bound copy reads the object."""
        field = _fresh(declared)
        field.bind(name, self)
        try:
            attribute = field.get_attribute(instance)
        except SkipField:
            return
        check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
        found[name] = None if check_for_none is None else field.to_representation(attribute)


_UNREAD = object()


@cache
def _plan(serializer: type[OutputSerializer]) -> tuple[tuple[str, str, Any, str], ...]:
    """(name, kind, declared field, attribute) for each readable field, in declared order."""
    from adapters.links import Link  # links.py builds on this module

    steps = []
    for name, field in serializer._declared_fields.items():
        if field.write_only:
            continue
        source = field.source or name
        if type(field) in _PLAIN_TYPES and source != "*" and "." not in source:
            steps.append((name, _PLAIN, field, source))
        elif type(field) is Link:
            steps.append((name, _LINK, field, ""))
        else:
            steps.append((name, _BOUND, field, ""))
    return tuple(steps)


def _fresh(field: serializers.Field) -> serializers.Field:
    """A copy of a declared field to bind. DRF deep-copies (each field built anew from its
    arguments); a field holds no state but what `bind()` sets (its name and parent), so a
    shallow copy serves as well. A nested output serializer too: its fields are planned by
    class, never kept on it; another nested serializer is still deep copied."""
    if isinstance(field, serializers.BaseSerializer) and not isinstance(field, OutputSerializer):
        return copy.deepcopy(field)
    # copy.copy, without its generic protocol (a tenth of the cost): a field is a plain object
    fresh = object.__new__(type(field))
    fresh.__dict__.update(field.__dict__)
    for state in ("field_name", "parent", "source_attrs", "fields"):  # what bind() sets, and a cached `fields`
        fresh.__dict__.pop(state, None)
    return fresh
