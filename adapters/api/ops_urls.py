"""Unversioned endpoints: where to start, and the probes."""

from django.urls import path

from adapters.api.health import healthz, readyz
from adapters.api.index import index
from adapters.api.metrics import metrics

urlpatterns = [
    path("", index, name="index"),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics, name="metrics"),
]
