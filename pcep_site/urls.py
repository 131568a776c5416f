"""Top-level URL configuration."""

from django.contrib import admin
from django.urls import include, path

from exams import views as exam_views

urlpatterns = [
    path("", exam_views.home, name="home"),
    path("syllabus/", exam_views.syllabus, name="syllabus"),
    path("exams/", include("exams.urls")),
    path("accounts/", include("accounts.urls")),
    path("progress/", include("progress.urls")),
    path("api/v1/", include("pcep_site.api_urls")),
    path("admin/", admin.site.urls),
]
