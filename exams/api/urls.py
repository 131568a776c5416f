"""Exams API URLs, under /api/v1/: the learner flow, then the instructor side."""

from django.urls import include, path

urlpatterns: list = [
    path("", include("exams.api.instructor_urls")),
]
