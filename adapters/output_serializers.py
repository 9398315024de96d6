"""Output serializers that copy their declared fields shallowly for each instance.

DRF deep-copies every declared field of a serializer for each instance (each field is built
anew from its arguments), which is most of the cost of rendering a small object such as the
202 body of a submit. A field of an output serializer holds no state but what `bind()` sets
(its name and parent), so a shallow copy serves as well; nested serializers are still deep
copied, as they bind children of their own."""

from __future__ import annotations

import copy
from typing import Any

from rest_framework import serializers


class OutputSerializer(serializers.Serializer):
    """For rendering only: never bound to input data."""

    def get_fields(self) -> dict[str, Any]:
        return {name: _fresh(field) for name, field in self._declared_fields.items()}


def _fresh(field: serializers.Field) -> serializers.Field:
    if isinstance(field, serializers.BaseSerializer):
        return copy.deepcopy(field)
    # copy.copy, without its generic protocol (a tenth of the cost): a field is a plain object
    fresh = object.__new__(type(field))
    fresh.__dict__.update(field.__dict__)
    for state in ("field_name", "parent", "source_attrs"):  # what bind() sets, should a declared field carry it
        fresh.__dict__.pop(state, None)
    return fresh
