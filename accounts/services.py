"""Account rules: REST API tokens, ending a user's sessions, the exam date, display
preferences (colour theme, time zone), and the learner's own data (export, deletion).

docs/privacy.md says what an export holds and what deleting an account removes.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import defaultdict
from datetime import date, timedelta
from functools import cache
from zoneinfo import available_timezones

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from accounts.models import ApiToken, User
from exams.models import ExamSession, ItemReport, UserResponse, WebhookDelivery
from progress.models import ReviewCard, UserProgress
from progress.study_plan import EXAM_DATE_KEY

TOKEN_PREFIX = "pcep_"
SHOWN_PREFIX_LENGTH = len(TOKEN_PREFIX) + 6
MAX_ACTIVE_TOKENS_PER_USER = 20
# Writing last_used_at on every request would turn each read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenError(Exception):
    """A token cannot be issued or revoked; the message says why."""

    def __init__(self, message: str, *, code: str = "token_rule", field: str | None = None):
        super().__init__(message)
        self.message, self.code, self.field = message, code, field


def token_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue_api_token(
    *, user: User, name: str, created_by: User | None = None
) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret text, which is never stored or shown again."""
    name = (name or "").strip()
    if not name:
        raise TokenError(
            "Give the token a name, so that you can tell it apart later.", field="name"
        )
    if len(name) > ApiToken._meta.get_field("name").max_length:
        raise TokenError("A token name can be at most 100 characters.", field="name")
    with transaction.atomic():
        active = ApiToken.objects.select_for_update().for_user(user).active()
        if active.count() >= MAX_ACTIVE_TOKENS_PER_USER:
            raise TokenError(
                f"You already have {MAX_ACTIVE_TOKENS_PER_USER} active tokens; revoke one first.",
                code="too_many_tokens",
            )
        key = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=key[:SHOWN_PREFIX_LENGTH],
            key_hash=token_digest(key),
            created_by=created_by or user,
        )
    return token, key


def revoke_api_token(*, token: ApiToken) -> ApiToken:
    """Revoke a token at once; revoking twice changes nothing."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=token.revoked_at
        )
    return token


def user_for_api_token(*, key: str) -> tuple[User, ApiToken] | None:
    """The active token's user, or None for an unknown, revoked or inactive one."""
    if not key.startswith(TOKEN_PREFIX) or len(key) > 100:
        return None
    token = (
        ApiToken.objects.active().select_related("user").filter(key_hash=token_digest(key)).first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token.user, token


# Sessions --------------------------------------------------------------------------------


def end_all_sessions(*, user: User) -> int:
    """Log the user out everywhere: delete every stored session that belongs to them.

    Database sessions hold the user's id only inside their encoded data, so each unexpired
    session is decoded once; fine for the site's size, and run only by an admin's action.
    Returns how many sessions were ended.
    """
    theirs = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]
    Session.objects.filter(pk__in=theirs).delete()
    return len(theirs)


# The exam date -------------------------------------------------------------------------


def set_exam_date(*, user: User, exam_date: date | None) -> User:
    """Store (or, with None, clear) the learner's exam date; the study plan paces to it."""
    return _store_profile_value(
        user=user, key=EXAM_DATE_KEY, value=exam_date.isoformat() if exam_date else None
    )


def _store_profile_value(*, user: User, key: str, value: str | None) -> User:
    """Set one key of profile_data (None removes it), keeping every other key as it was."""
    profile = dict(user.profile_data or {})
    if value is None:
        profile.pop(key, None)
    else:
        profile[key] = value
    user.profile_data = profile
    user.save(update_fields=["profile_data"])
    return user


# Display preferences: colour theme and time zone -------------------------------------------


class PreferenceError(Exception):
    """A display preference cannot be stored; the message says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


THEME_KEY = "theme"
THEME_COOKIE = "theme"
AUTO_THEME = "auto"
# "auto" follows the system's light or dark setting (prefers-color-scheme).
THEMES = (AUTO_THEME, "light", "dark")
TIME_ZONE_KEY = "time_zone"
# Not IANA zones: "localtime" is the server's own, "Factory" a placeholder.
_NOT_A_LEARNER_ZONE = {"localtime", "Factory"}


def check_theme(*, theme: str) -> str:
    """The theme if it is one of THEMES, else a PreferenceError naming the choices."""
    if theme not in THEMES:
        raise PreferenceError(
            f"“{theme[:40]}” is not a colour theme; choose one of {', '.join(THEMES)}."
        )
    return theme


def set_theme(*, user: User, theme: str) -> User:
    """Store the learner's colour theme; "auto" removes the stored choice."""
    check_theme(theme=theme)
    return _store_profile_value(
        user=user, key=THEME_KEY, value=None if theme == AUTO_THEME else theme
    )


def stored_theme(*, user: User) -> str | None:
    """The learner's stored theme, or None when none (or a no longer valid one) is stored."""
    theme = (user.profile_data or {}).get(THEME_KEY)
    return theme if theme in THEMES else None


@cache
def _known_time_zones() -> frozenset[str]:
    return frozenset(available_timezones() - _NOT_A_LEARNER_ZONE)


def learner_time_zones() -> list[str]:
    """The IANA time zones a learner can choose, sorted."""
    return sorted(_known_time_zones())


def set_time_zone(*, user: User, time_zone: str | None) -> User:
    """Store the learner's time zone (an IANA name); None or "" goes back to the browser's."""
    if time_zone and time_zone not in _known_time_zones():
        raise PreferenceError(
            f"“{time_zone[:60]}” is not a time zone we know; choose one from the list, "
            "e.g. Europe/Paris."
        )
    return _store_profile_value(user=user, key=TIME_ZONE_KEY, value=time_zone or None)


def stored_time_zone(*, user: User) -> str | None:
    """The learner's stored time zone, or None for the browser's own."""
    time_zone = (user.profile_data or {}).get(TIME_ZONE_KEY)
    return time_zone if time_zone in _known_time_zones() else None


# The learner's data ----------------------------------------------------------------------

EXPORT_FORMAT_VERSION = 1
# Everything on the account row except the password hash.
EXPORTED_ACCOUNT_FIELDS = (
    "id",
    "username",
    "email",
    "first_name",
    "last_name",
    "date_joined",
    "last_login",
    "is_active",
    "is_staff",
    "is_superuser",
    "profile_data",
)


def _moment(value):
    return value.isoformat() if value else None


def _answer_given(response: UserResponse) -> dict:
    """What the learner chose or typed, with option texts from the copy the attempt showed."""
    stored = response.response_data or {}
    shown = {answer["id"]: answer["text"] for answer in (response.shown or {}).get("answers", [])}
    given = {}
    for key in ("choices", "order"):
        if stored.get(key):
            given[key] = [shown.get(answer_id, answer_id) for answer_id in stored[key]]
    if stored.get("gaps"):
        given["gaps"] = list(stored["gaps"])
    return given


def _response_row(response: UserResponse) -> dict:
    question = response.question
    return {
        "position": response.position,
        "question_id": question.original_id if question else None,
        "question": question.text if question else None,
        "objective": (response.shown or {}).get("objective"),
        "answer_given": _answer_given(response),
        "answered_at": _moment(response.answered_at),
        "skipped": response.answered_at is None,
        "bookmarked": response.is_bookmarked,
        "is_correct": response.is_correct,
        "points_earned": response.points_earned,
        "points": question.points if question else None,
        "time_taken_seconds": response.time_taken,
    }


def export_user_data(*, user: User) -> dict:
    """All of the learner's data as JSON-ready values, in a fixed number of queries.

    API tokens are listed by name and dates only: neither the secret nor its fingerprint.
    """
    responses_by_session: dict[int, list[dict]] = defaultdict(list)
    for response in (
        UserResponse.objects.filter(session__user=user)
        .select_related("question")
        .order_by("session_id", "position", "id")
    ):
        responses_by_session[response.session_id].append(_response_row(response))
    attempts = [
        {
            "id": attempt.pk,
            "mode": attempt.mode,
            "title": (
                attempt.exam.title if attempt.exam else (attempt.session_data or {}).get("title")
            ),
            "started_at": _moment(attempt.start_time),
            "finished_at": _moment(attempt.end_time),
            "is_completed": attempt.is_completed,
            "score_percent": attempt.score,
            "scaled_score": attempt.scaled_score,
            "max_score": attempt.max_score,
            "passed": attempt.passed,
            "points_earned": attempt.points_earned,
            "points_possible": attempt.points_possible,
            "time_spent_seconds": attempt.time_spent,
            "responses": responses_by_session.get(attempt.pk, []),
        }
        for attempt in ExamSession.objects.for_user(user).select_related("exam").order_by("id")
    ]
    progress = [
        {
            "objective": row.topic.code if row.topic else None,
            "objective_name": row.topic.name if row.topic else None,
            "mastery": row.proficiency_level,
            "questions_attempted": row.questions_attempted,
            "questions_correct": row.questions_correct,
            "average_time_seconds": row.average_time,
            "last_practice_date": _moment(row.last_practice_date),
        }
        for row in UserProgress.objects.for_user(user).select_related("topic").order_by("id")
    ]
    tokens = [
        {
            "name": token.name,
            "created_at": _moment(token.created_at),
            "last_used_at": _moment(token.last_used_at),
            "revoked_at": _moment(token.revoked_at),
        }
        for token in ApiToken.objects.for_user(user).only(
            "name", "created_at", "last_used_at", "revoked_at"
        )
    ]
    problem_reports = [
        {
            "question_id": report.question.original_id,
            "reason": report.reason,
            "message": report.message,
            "status": report.status,
            "created_at": _moment(report.created_at),
            "resolution": report.resolution,
        }
        for report in ItemReport.objects.filter(user=user).select_related("question").order_by("id")
    ]
    account = {field: getattr(user, field) for field in EXPORTED_ACCOUNT_FIELDS}
    account.update(date_joined=_moment(user.date_joined), last_login=_moment(user.last_login))
    return {
        "format_version": EXPORT_FORMAT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "account": account,
        "attempts": attempts,
        "progress": progress,
        "review_cards": _review_cards(user),
        "api_tokens": tokens,
        "problem_reports": problem_reports,
    }


def _review_cards(user: User) -> list[dict]:
    return [
        {
            "question_id": card.question.original_id,
            "question": card.question.text,
            "state": card.get_state_display(),
            "due": _moment(card.due),
            "last_review": _moment(card.last_review),
            "reps": card.reps,
            "lapses": card.lapses,
            "stability": card.stability,
            "difficulty": card.difficulty,
            "step": card.step,
            "created_at": _moment(card.created_at),
        }
        for card in ReviewCard.objects.for_user(user).select_related("question").order_by("id")
    ]


def delete_account(*, user: User) -> None:
    """Delete the learner and everything that is theirs (docs/privacy.md).

    The schema's ON DELETE CASCADE removes their attempts with their responses, their
    progress rows and their tokens; problem reports they filed stay, without their name
    (SET NULL). Item statistics are recomputed from the responses that remain, so this
    learner's answers leave them.
    """
    with transaction.atomic():
        # Webhook payloads are copies outside the cascade: drop the name from the log.
        deliveries = list(WebhookDelivery.objects.filter(payload__attempt__user__id=user.pk))
        for delivery in deliveries:
            delivery.payload["attempt"]["user"] = None
        WebhookDelivery.objects.bulk_update(deliveries, ["payload"])
        user.delete()
