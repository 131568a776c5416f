"""Instructor API URLs (questions, import and export, results), under /api/v1/."""

from django.urls import path

from exams.api import instructor_views as views

urlpatterns = [
    path("questions/", views.QuestionListView.as_view(), name="questions"),
    path("questions/export/", views.QuestionExportView.as_view(), name="questions-export"),
    path("questions/<int:question_id>/", views.QuestionDetailView.as_view(), name="question"),
    path(
        "questions/<int:question_id>/verify/",
        views.QuestionVerifyView.as_view(),
        name="question-verify",
    ),
    path(
        "questions/<int:question_id>/statistics/",
        views.QuestionStatisticsView.as_view(),
        name="question-statistics",
    ),
    path("imports/", views.ImportView.as_view(), name="imports"),
    path("imports/apply/", views.ImportApplyView.as_view(), name="imports-apply"),
    path("results/", views.ResultListView.as_view(), name="results"),
    path("results/objectives/", views.ObjectiveResultsView.as_view(), name="results-objectives"),
]
