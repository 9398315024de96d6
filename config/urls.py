from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from adapters.api.health import healthz, readyz

urlpatterns = [
    path("api/v1/", include("adapters.api.urls")),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("api/schema/", SpectacularAPIView.as_view(permission_classes=[]), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema", permission_classes=[]), name="docs"),
]

handler404 = "adapters.api.problems.not_found_view"
handler500 = "adapters.api.problems.server_error_view"
