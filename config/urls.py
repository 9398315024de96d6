"""URL configuration. Views are referenced by module path, so config imports no entry point."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("api/v1/", include("adapters.api.urls")),
    path("", include("adapters.api.ops_urls")),
    path("api/schema/", SpectacularAPIView.as_view(permission_classes=[]), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema", permission_classes=[]), name="docs"),
    # the operator console, staff only (adapters/admin)
    path("admin/", admin.site.urls),
]

handler400 = "adapters.api.problems.bad_request_view"
handler403 = "adapters.api.problems.permission_denied_view"
handler404 = "adapters.api.problems.not_found_view"
handler500 = "adapters.api.problems.server_error_view"
