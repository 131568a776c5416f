"""Progress API URLs, under /api/v1/."""

from django.urls import path

from progress.api import views

urlpatterns = [
    path("progress/", views.ProgressView.as_view(), name="progress"),
    path("progress/readiness/", views.ReadinessView.as_view(), name="readiness"),
]
