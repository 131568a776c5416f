"""Account defences that span requests: the client's address, rate limits counted in the
database (sign-ups, password-reset and verification mails), and the page a locked-out
log-in gets from django-axes. docs/accounts-security.md describes the limits."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import RateLimitHit


class LoginLockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check for every log-in that comes with a request.

    Every web log-in passes its request (Django's LoginView, the admin's log-in); a call
    without one comes from code on the server (the test client's login(), a shell) and has
    no client address to count against, so it is left to the next backend instead of
    failing, as axes' own backend would.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_ip(request: HttpRequest) -> str:
    """The address limits and lockouts are counted for.

    X-Forwarded-For is believed only when TRUST_X_FORWARDED_FOR is set (behind
    deploy/nginx.conf, which writes the header itself); otherwise a client could send a
    new made-up address with every request and never be counted twice.
    """
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        # The proxy appends the address it saw: the last entry is the one it vouches for.
        nearest = _ip_address(forwarded.split(",")[-1])
        if nearest:
            return nearest
    # Always an address: lockouts are stored in an IP address column, which PostgreSQL
    # refuses anything else for (a request made in code, e.g. a test's login, has none).
    return _ip_address(request.META.get("REMOTE_ADDR") or "") or UNKNOWN_ADDRESS


UNKNOWN_ADDRESS = "0.0.0.0"


def _ip_address(text: str) -> str:
    """The address in canonical form, or "" when the text is not one."""
    try:
        return str(ipaddress.ip_address(text.strip()[:45]))
    except ValueError:
        return ""


def moment_text(moment: datetime) -> str:
    """A time of day a person can act on, e.g. "14:05 (UTC)" in the site's time zone."""
    local = timezone.localtime(moment)
    return f"{date_format(local, 'H:i')} ({local.tzname()})"


class RateLimited(Exception):
    """Too many requests of one kind; the message says what and when to try again."""

    def __init__(self, message: str, *, retry_at: datetime):
        super().__init__(message)
        self.message, self.retry_at = message, retry_at


@dataclass(frozen=True)
class RateLimit:
    """At most `limit` requests per `window` for one key of a scope."""

    scope: str
    limit: int
    window: timedelta
    # Completed by the caller's message: "… {what}. Try again after 14:05 (UTC)."
    refusal: str

    def check(self, *, key: str, now: datetime | None = None) -> None:
        """Raise RateLimited if `key` has used up its requests; record nothing."""
        now = now or timezone.now()
        recent = RateLimitHit.objects.for_key(scope=self.scope, key=key).filter(
            created_at__gt=now - self.window
        )
        if recent.count() >= self.limit:
            # The oldest counted request leaves the window first; then one more is allowed.
            oldest = recent.order_by("created_at").values_list("created_at", flat=True)[
                recent.count() - self.limit
            ]
            retry_at = oldest + self.window
            raise RateLimited(
                f"{self.refusal} Try again after {moment_text(retry_at)}.", retry_at=retry_at
            )

    def record(self, *, key: str, now: datetime | None = None) -> None:
        """Count one request for `key`, and forget this scope's requests older than the
        window (nothing else reads them)."""
        now = now or timezone.now()
        with transaction.atomic():
            RateLimitHit.objects.filter(
                scope=self.scope, created_at__lte=now - self.window
            ).delete()
            RateLimitHit.objects.create(scope=self.scope, key=key[:254], created_at=now)


def login_failure_limit() -> RateLimit:
    """Failed log-ins per client address, across usernames (axes locks username+address)."""
    return RateLimit(
        scope="login-failure-ip",
        limit=settings.LOGIN_FAILURES_PER_IP_PER_15_MINUTES,
        window=timedelta(minutes=15),
        refusal="Too many failed log-ins came from your network in the last 15 minutes, so "
        "logging in from here is paused.",
    )


def signup_limit() -> RateLimit:
    return RateLimit(
        scope="signup-ip",
        limit=settings.SIGNUPS_PER_IP_PER_HOUR,
        window=timedelta(hours=1),
        refusal="Too many accounts were created from your network in the last hour.",
    )


def password_reset_limits() -> tuple[RateLimit, RateLimit]:
    """Per client address, and per email address (whether or not an account has it)."""
    return (
        RateLimit(
            scope="password-reset-ip",
            limit=settings.PASSWORD_RESETS_PER_IP_PER_HOUR,
            window=timedelta(hours=1),
            refusal="Too many password resets were asked for from your network in the last hour.",
        ),
        RateLimit(
            scope="password-reset-email",
            limit=settings.PASSWORD_RESETS_PER_EMAIL_PER_HOUR,
            window=timedelta(hours=1),
            refusal="Too many password resets were asked for this email address in the last hour.",
        ),
    )


def allow_password_reset(*, address: str, email: str) -> None:
    """Count a password-reset request, or raise RateLimited (counting nothing) if the client
    address or the email address has used up its requests."""
    by_address, by_email = password_reset_limits()
    email = email.strip().lower()
    by_address.check(key=address)
    by_email.check(key=email)
    by_address.record(key=address)
    by_email.record(key=email)


def verification_mail_limit() -> RateLimit:
    return RateLimit(
        scope="verification-mail-user",
        limit=settings.VERIFICATION_MAILS_PER_USER_PER_HOUR,
        window=timedelta(hours=1),
        refusal="We have sent you several verification emails in the last hour already.",
    )


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """The log-in page (status 429) saying the account is locked here and until when.

    Every refused attempt during the lock starts the cool-off again
    (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT, axes' default), so the lock ends one
    cool-off after this request.
    """
    retry_at = timezone.now() + settings.AXES_COOLOFF_TIME
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    message = (
        f"Too many failed log-ins for this account from your network: logging in is locked "
        f"for {minutes} minutes. Try again after {moment_text(retry_at)}, or reset your "
        "password. Every attempt until then starts the wait again."
    )
    form = AuthenticationForm(request, initial={"username": username})
    return render(
        request,
        "registration/login.html",
        {"form": form, "lockout_message": message, "next": request.POST.get("next", "")},
        status=429,
    )
