"""Account pages: sign up, email verification, profile with its exam date, time zone and
API tokens, the colour theme switch (every page's footer), the learner's data (download,
account deletion), and the rate-limited password-reset request. Log-in (locked by
django-axes) and the other password pages are Django's own."""

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import security, services
from accounts.forms import (
    ApiTokenForm,
    DeleteAccountForm,
    ExamDateForm,
    SignUpForm,
    TimeZoneForm,
)
from accounts.models import ApiToken
from accounts.verification import VerificationError, send_verification_email, verify_email
from exams.models import ExamSession
from progress.study_plan import stored_exam_date


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = SignUpForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        address = security.client_ip(request)
        try:
            security.signup_limit().check(key=address)
        except security.RateLimited as refusal:
            form.add_error(None, refusal.message)
            status = 429
        else:
            user = form.save()
            security.signup_limit().record(key=address)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            _announce_verification_email(
                request, user, sent=send_verification_email(user=user, request=request)
            )
            return redirect("home")
    return render(request, "registration/signup.html", {"form": form}, status=status)


def _announce_verification_email(request: HttpRequest, user, *, sent: bool) -> None:
    if sent:
        messages.success(
            request,
            f"We have sent a link to {user.email}: open it to confirm your address. "
            "You can practise meanwhile.",
        )
    else:
        messages.error(
            request,
            "We could not send the confirmation email just now. Use “Resend verification "
            "email” on your profile page in a while.",
        )


@require_GET
def verify_email_link(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user = verify_email(token=token)
    except VerificationError as error:
        return render(
            request, "accounts/verify_email_failed.html", {"message": error.message}, status=400
        )
    messages.success(request, f"Thank you: {user.email} is confirmed.")
    return redirect("accounts:profile" if request.user.is_authenticated else "accounts:login")


@login_required
@require_POST
def resend_verification_email(request: HttpRequest) -> HttpResponse:
    if request.user.email_verified:
        messages.success(request, "Your email address is already confirmed.")
        return redirect("accounts:profile")
    limit = security.verification_mail_limit()
    try:
        limit.check(key=str(request.user.pk))
    except security.RateLimited as refusal:
        messages.error(request, refusal.message)
        return redirect("accounts:profile")
    limit.record(key=str(request.user.pk))
    _announce_verification_email(
        request, request.user, sent=send_verification_email(user=request.user, request=request)
    )
    return redirect("accounts:profile")


class RateLimitedLoginView(auth_views.LoginView):
    """Django's log-in, paused for a client address with too many failures whatever the
    usernames; django-axes locks one username and address after 5 (docs/accounts-security.md).

    The pause is checked before the form is, so a paused address costs no password hashing.
    """

    def post(self, request, *args, **kwargs):
        try:
            security.login_failure_limit().check(key=security.client_ip(request))
        except security.RateLimited as refusal:
            form = self.get_form_class()(
                request, initial={"username": request.POST.get("username", "")}
            )
            context = self.get_context_data(form=form, lockout_message=refusal.message)
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        if form.has_error(NON_FIELD_ERRORS, "invalid_login"):
            security.login_failure_limit().record(key=security.client_ip(self.request))
        return super().form_invalid(form)


class RateLimitedPasswordResetView(auth_views.PasswordResetView):
    """Django's reset request, limited per client address and per email address.

    The refusal reads the same whether or not an account has the address, as Django's
    "we've emailed you" page does, so neither tells an attacker which addresses exist.
    """

    def form_valid(self, form):
        try:
            security.allow_password_reset(
                address=security.client_ip(self.request), email=form.cleaned_data["email"]
            )
        except security.RateLimited as refusal:
            form.add_error(None, refusal.message)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)


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


@login_required
@require_POST
def set_exam_date(request: HttpRequest) -> HttpResponse:
    form = ExamDateForm(request.POST)
    if not form.is_valid():
        return _render_profile(request, ApiTokenForm(), exam_date_form=form, status=400)
    exam_date = form.cleaned_data["exam_date"]
    services.set_exam_date(user=request.user, exam_date=exam_date)
    if exam_date:
        messages.success(request, f"Exam date set to {exam_date:%-d %B %Y}.")
    else:
        messages.success(request, "Exam date removed.")
    return redirect("accounts:profile")


@login_required
@require_POST
def set_time_zone(request: HttpRequest) -> HttpResponse:
    form = TimeZoneForm(request.POST)
    if form.is_valid():
        time_zone = form.cleaned_data["time_zone"]
        try:
            services.set_time_zone(user=request.user, time_zone=time_zone)
        except services.PreferenceError as error:
            form.add_error("time_zone", error.message)
        else:
            messages.success(
                request,
                f"Times are now shown in {time_zone}."
                if time_zone
                else "Times are now shown in your browser's time zone.",
            )
            return redirect("accounts:profile")
    return _render_profile(request, ApiTokenForm(), time_zone_form=form, status=400)


# A year: the choice outlives the browser session, as a stored one does.
THEME_COOKIE_MAX_AGE = 365 * 24 * 3600


@require_POST
def set_theme(request: HttpRequest) -> HttpResponse:
    """Light, dark or auto: stored on the learner, or in a cookie for a visitor.

    static/js/theme.js posts it in the background (and gets 204); without JavaScript the
    footer's form posts it and the answer goes back to the page it came from.
    """
    theme = request.POST.get("theme", "")
    try:
        if request.user.is_authenticated:
            services.set_theme(user=request.user, theme=theme)
        else:
            services.check_theme(theme=theme)
    except services.PreferenceError as error:
        return HttpResponseBadRequest(error.message, content_type="text/plain; charset=utf-8")
    back = request.POST.get("next", "")
    if request.headers.get("X-Requested-With") == "fetch":
        response = HttpResponse(status=204)
    elif url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        response = redirect(back)
    else:
        response = redirect("home")
    if not request.user.is_authenticated:
        response.set_cookie(
            services.THEME_COOKIE,
            theme,
            max_age=THEME_COOKIE_MAX_AGE,
            secure=request.is_secure(),
            httponly=True,
            samesite="Lax",
        )
    return response


@login_required
@require_GET
@never_cache  # personal data: no browser or proxy may keep a copy
def download_my_data(request: HttpRequest) -> HttpResponse:
    response = JsonResponse(
        services.export_user_data(user=request.user), json_dumps_params={"indent": 2}
    )
    filename = f"pcep-data-{request.user.username}-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        username = request.user.username
        services.delete_account(user=request.user)
        logout(request)
        messages.success(request, f"The account “{username}” and its data are deleted.")
        return redirect("home")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/delete_confirm.html", {"form": form}, status=status)


def _render_profile(
    request: HttpRequest,
    token_form: ApiTokenForm,
    *,
    exam_date_form: ExamDateForm | None = None,
    time_zone_form: TimeZoneForm | None = None,
    new_token: ApiToken | None = None,
    new_key: str | None = None,
    status: int = 200,
) -> HttpResponse:
    attempts = ExamSession.objects.for_user(request.user)
    if exam_date_form is None:
        exam_date_form = ExamDateForm(initial={"exam_date": stored_exam_date(request.user)})
    if time_zone_form is None:
        time_zone_form = TimeZoneForm(
            initial={"time_zone": services.stored_time_zone(user=request.user) or ""}
        )
    return render(
        request,
        "accounts/profile.html",
        {
            "exam_date_form": exam_date_form,
            "time_zone_form": time_zone_form,
            "finished_count": attempts.completed().count(),
            "in_progress_count": attempts.in_progress().count(),
            "token_form": token_form,
            "tokens": ApiToken.objects.for_user(request.user),
            "max_active_tokens": services.MAX_ACTIVE_TOKENS_PER_USER,
            "new_token": new_token,
            "new_key": new_key,
        },
        status=status,
    )
