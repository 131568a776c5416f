"""Account pages: sign up and profile (log-in and passwords use Django's own views)."""

from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.forms import SignUpForm
from exams.models import ExamSession


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("home")
    return render(request, "registration/signup.html", {"form": form})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    attempts = ExamSession.objects.for_user(request.user)
    return render(
        request,
        "accounts/profile.html",
        {
            "finished_count": attempts.completed().count(),
            "in_progress_count": attempts.in_progress().count(),
        },
    )
