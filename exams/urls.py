"""Learner URLs: exams, practice, attempts, reports and history."""

from django.urls import path

from exams import report_views, staff_views, views

app_name = "exams"

urlpatterns = [
    path("", views.exam_list, name="list"),
    path("<int:exam_id>/start/", views.start_exam, name="start"),
    path("practice/start/", views.start_practice, name="practice"),
    path("history/", views.history, name="history"),
    path("attempts/<int:attempt_id>/", views.attempt, name="attempt"),
    path("attempts/<int:attempt_id>/items/<int:position>/", views.item, name="item"),
    path("attempts/<int:attempt_id>/items/<int:position>/answer/", views.answer, name="answer"),
    path("attempts/<int:attempt_id>/items/<int:position>/flag/", views.flag, name="flag"),
    path("attempts/<int:attempt_id>/review/", views.review, name="review"),
    path(
        "attempts/<int:attempt_id>/items/<int:question_id>/report/",
        report_views.report_problem,
        name="report_problem",
    ),
    path("attempts/<int:attempt_id>/finish/", views.finish, name="finish"),
    path("attempts/<int:attempt_id>/report/", views.report, name="report"),
    path("staff/cohort/", staff_views.cohort, name="cohort"),
]
