"""Instructor API URLs (questions, import and export, results), under /api/v1/."""

urlpatterns: list = []
