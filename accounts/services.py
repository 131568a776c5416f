"""Account rules: issuing, using and revoking REST API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import ApiToken, User

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
