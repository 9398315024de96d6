"""Unversioned operational endpoints: probes."""

from django.urls import path

from adapters.api.health import healthz, readyz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
]
