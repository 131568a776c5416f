"""Account pages: sign up, profile and its API tokens (log-in and passwords use Django's
own views)."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import services
from accounts.forms import ApiTokenForm, SignUpForm
from accounts.models import ApiToken
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
    return _render_profile(request, ApiTokenForm())


@login_required
@require_POST
@never_cache  # the answer holds the token's secret: no browser or proxy may keep a copy
def create_api_token(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            token, key = services.issue_api_token(user=request.user, name=form.cleaned_data["name"])
        except services.TokenError as error:
            form.add_error(error.field, error.message)
        else:
            # Shown in this response only; the secret is stored nowhere (not even the session).
            return _render_profile(request, ApiTokenForm(), new_token=token, new_key=key)
    return _render_profile(request, form)


@login_required
@require_POST
def revoke_api_token(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken.objects.for_user(request.user), pk=token_id)
    services.revoke_api_token(token=token)
    messages.success(request, f"Token “{token.name}” is revoked; it no longer works.")
    return redirect("accounts:profile")


def _render_profile(
    request: HttpRequest,
    token_form: ApiTokenForm,
    *,
    new_token: ApiToken | None = None,
    new_key: str | None = None,
) -> HttpResponse:
    attempts = ExamSession.objects.for_user(request.user)
    return render(
        request,
        "accounts/profile.html",
        {
            "finished_count": attempts.completed().count(),
            "in_progress_count": attempts.in_progress().count(),
            "token_form": token_form,
            "tokens": ApiToken.objects.for_user(request.user),
            "max_active_tokens": services.MAX_ACTIVE_TOKENS_PER_USER,
            "new_token": new_token,
            "new_key": new_key,
        },
    )
