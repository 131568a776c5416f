"""/api/v1/: each app's API, the OpenAPI schema and its offline documentation pages."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from pcep_site.api import unknown_endpoint

app_name = "api"

urlpatterns = [
    path("", include("exams.api.urls")),
    path("", include("progress.api.urls")),
    path("", include("accounts.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path(
        "docs/redoc/",
        SpectacularRedocView.as_view(url_name="api:schema", template_name="api/redoc.html"),
        name="redoc",
    ),
    # Anything else, newlines included: a JSON 404.
    re_path(r"^(?P<path>[\s\S]*)$", unknown_endpoint),
]
