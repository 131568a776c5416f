"""/api/v1/: each app's API, the OpenAPI schema and its offline documentation pages."""

from csp.decorators import csp_update
from django.urls import include, path, re_path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from pcep_site.api import unknown_endpoint

app_name = "api"

# The documentation renderers write <style> elements at run time (CSS-in-JS), and Redoc runs
# its search in a worker made from a blob: styles and that worker are allowed on these two
# pages only. Scripts stay files: the Swagger page loads its start-up code from `?script`.
_DOCS_POLICY = {"style-src": ["'unsafe-inline'"], "worker-src": ["blob:"]}

urlpatterns = [
    path("", include("exams.api.urls")),
    path("", include("progress.api.urls")),
    path("", include("accounts.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        csp_update(_DOCS_POLICY)(SpectacularSwaggerSplitView.as_view(url_name="api:schema")),
        name="docs",
    ),
    path(
        "docs/redoc/",
        csp_update(_DOCS_POLICY)(
            SpectacularRedocView.as_view(url_name="api:schema", template_name="api/redoc.html")
        ),
        name="redoc",
    ),
    # Anything else, newlines included: a JSON 404.
    re_path(r"^(?P<path>[\s\S]*)$", unknown_endpoint),
]
