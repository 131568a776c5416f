"""Top-level URL configuration."""

from django.contrib import admin
from django.urls import include, path

from exams import views as exam_views
from pcep_site import pwa
from pcep_site.health import healthz

urlpatterns = [
    path("", exam_views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("syllabus/", exam_views.syllabus, name="syllabus"),
    path("exams/", include("exams.urls")),
    path("accounts/", include("accounts.urls")),
    path("progress/", include("progress.urls")),
    path("api/v1/", include("pcep_site.api_urls")),
    path("admin/", admin.site.urls),
    # The app's manifest and service worker live at the root: a worker controls only the
    # pages under the folder it is served from.
    path("manifest.webmanifest", pwa.manifest, name="pwa_manifest"),
    path("sw.js", pwa.service_worker, name="pwa_service_worker"),
    path("offline/", pwa.offline, name="pwa_offline"),
]
