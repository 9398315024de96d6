"""Unversioned endpoints: where to start, and the probes."""

from django.urls import path

from adapters.api.health import healthz, readyz
from adapters.api.index import index

urlpatterns = [
    path("", index, name="index"),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
]
