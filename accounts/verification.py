"""Email verification: the signed link mailed at sign-up (and again on request from the
profile page), and checking it. Until a learner opens it, User.email_verified stays False
and exams.statistics.cohort_by_objective leaves their answers out."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import User

logger = logging.getLogger(__name__)

# Separates these signatures from every other use of SECRET_KEY: a value signed elsewhere
# (a session, a password-reset token) never passes as a verification link.
SIGNING_SALT = "accounts.email-verification"


class VerificationError(Exception):
    """A verification link that cannot be used; the message says why and what to do."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.message, self.code = message, code


def verification_token(*, user: User) -> str:
    """A signed, timestamped token naming the user and the address it was sent to, so that
    a link mailed to an earlier address stops working when the address changes."""
    return signing.dumps({"user": user.pk, "email": user.email}, salt=SIGNING_SALT)


def send_verification_email(*, user: User, request: HttpRequest) -> bool:
    """Mail the learner their link; False (and a log entry) if the mail server refused."""
    link = request.build_absolute_uri(
        reverse("accounts:verify_email", args=[verification_token(user=user)])
    )
    body = render_to_string(
        "registration/verify_email.txt",
        {"user": user, "link": link, "days": settings.EMAIL_VERIFICATION_DAYS},
    )
    try:
        send_mail(
            "Confirm your email address · PCEP Exam Accelerator",
            body,
            None,  # DEFAULT_FROM_EMAIL
            [user.email],
        )
    except OSError:  # smtplib's errors are OSErrors, as are refused connections
        logger.exception("Could not send the verification email to user %s", user.pk)
        return False
    return True


def verify_email(*, token: str) -> User:
    """Mark the user the token names as verified, or raise VerificationError.

    Opening the link twice is fine: the second time changes nothing.
    """
    try:
        payload = signing.loads(
            token, salt=SIGNING_SALT, max_age=settings.EMAIL_VERIFICATION_DAYS * 86_400
        )
    except signing.SignatureExpired:
        raise VerificationError(
            f"This verification link has expired (links work for "
            f"{settings.EMAIL_VERIFICATION_DAYS} days). Log in and ask for a new one on your "
            "profile page.",
            code="expired",
        ) from None
    except signing.BadSignature:
        raise VerificationError(
            "This verification link is not valid: it may be cut short or changed. Open the "
            "whole link from the email, or ask for a new one on your profile page.",
            code="invalid",
        ) from None
    user = User.objects.filter(pk=payload.get("user"), is_active=True).first()
    if user is None or user.email != payload.get("email"):
        raise VerificationError(
            "This verification link was sent to an address the account no longer has. Ask "
            "for a new one on your profile page.",
            code="stale",
        )
    if not user.email_verified:
        user.email_verified = True
        user.save(update_fields=["email_verified"])
    return user
