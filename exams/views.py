"""Template views for learners: home page, syllabus, exams."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from exams import selectors


def home(request: HttpRequest) -> HttpResponse:
    syllabus = selectors.current_syllabus()
    modules = selectors.syllabus_modules(syllabus=syllabus)
    return render(request, "exams/home.html", {"syllabus": syllabus, "modules": modules})


def syllabus(request: HttpRequest) -> HttpResponse:
    syllabus = selectors.current_syllabus()
    modules = selectors.syllabus_modules(syllabus=syllabus)
    return render(request, "exams/syllabus.html", {"syllabus": syllabus, "modules": modules})
