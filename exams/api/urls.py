"""Exams API URLs, under /api/v1/: the learner flow, then the instructor side."""

from django.urls import include, path

from exams.api import report_views, views

urlpatterns = [
    path("syllabus/", views.SyllabusView.as_view(), name="syllabus"),
    path("exams/", views.ExamListView.as_view(), name="exams"),
    path("exams/<int:exam_id>/", views.ExamDetailView.as_view(), name="exam"),
    path("attempts/", views.AttemptListView.as_view(), name="attempts"),
    path("attempts/practice/", views.PracticeStartView.as_view(), name="practice"),
    path("attempts/<int:attempt_id>/", views.AttemptDetailView.as_view(), name="attempt"),
    path(
        "attempts/<int:attempt_id>/items/<int:position>/answer/",
        views.AnswerView.as_view(),
        name="answer",
    ),
    path(
        "attempts/<int:attempt_id>/items/<int:position>/flag/",
        views.FlagView.as_view(),
        name="flag",
    ),
    path(
        "attempts/<int:attempt_id>/items/<int:question_id>/report/",
        report_views.ItemReportView.as_view(),
        name="item-report",
    ),
    path("attempts/<int:attempt_id>/answers/", views.BatchAnswerView.as_view(), name="answers"),
    path("attempts/<int:attempt_id>/finish/", views.FinishView.as_view(), name="finish"),
    path("attempts/<int:attempt_id>/report/", views.ReportView.as_view(), name="report"),
    path("", include("exams.api.instructor_urls")),
]
