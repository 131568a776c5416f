"""The user model: the design's `users` table on top of Django's authentication."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone


class User(AbstractUser):
    # The design names the hash column password_hash and the sign-up time created_at;
    # Django's auth code keeps using the attribute names `password` and `date_joined`.
    password = models.CharField("password", max_length=128, db_column="password_hash")
    email = models.EmailField("email address", max_length=254, unique=True)
    date_joined = models.DateTimeField(
        "date joined", default=timezone.now, db_default=Now(), db_column="created_at"
    )
    is_active = models.BooleanField("active", default=True, db_default=True)
    profile_data = models.JSONField(default=dict, blank=True, null=True)
    # Set when the learner opens the link mailed at sign-up (accounts.verification). Until
    # then they may practise, but exams.statistics.cohort_by_objective leaves their answers
    # out, so that throwaway or mistyped addresses do not skew what staff see.
    email_verified = models.BooleanField("email verified", default=False, db_default=False)

    objects = UserManager()

    REQUIRED_FIELDS = ["email"]

    class Meta:
        db_table = "users"
        indexes = [
            models.Index(fields=["username"], name="idx_users_username"),
            models.Index(fields=["email"], name="idx_users_email"),
            models.Index(fields=["date_joined"], name="idx_users_created_at"),
            # The few learners who have not confirmed their address yet:
            # exams.statistics.unverified_counts_by_question starts from them.
            models.Index(
                fields=["id"], name="idx_users_unverified", condition=Q(email_verified=False)
            ),
        ]

    def __str__(self) -> str:
        return self.username


class ApiTokenQuerySet(models.QuerySet):
    def active(self) -> "ApiTokenQuerySet":
        return self.filter(revoked_at__isnull=True, user__is_active=True)

    def for_user(self, user) -> "ApiTokenQuerySet":
        return self.filter(user=user)


class ApiToken(models.Model):
    """A personal or service-account token for the REST API; only its SHA-256 is stored.

    Tokens are 256 random bits, so a fast hash is enough: nobody can guess their way back
    from the digest, and looking a token up by its digest stays one indexed query.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    # The first characters of the token, shown in lists so that a person can tell tokens apart.
    prefix = models.CharField(max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        db_table = "api_tokens"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class RateLimitHitQuerySet(models.QuerySet):
    def for_key(self, *, scope: str, key: str) -> "RateLimitHitQuerySet":
        return self.filter(scope=scope, key=key)


class RateLimitHit(models.Model):
    """One counted request (a sign-up, a password-reset or verification mail) for a limit in
    accounts.security. Kept in the database, not in a process's memory, so that every
    app-server process counts the same requests; rows older than their window are deleted
    as new ones arrive."""

    scope = models.CharField(max_length=40)
    # What is limited: a client address or a normalised email address, or a user's id.
    key = models.CharField(max_length=254)
    created_at = models.DateTimeField(default=timezone.now)

    objects = RateLimitHitQuerySet.as_manager()

    class Meta:
        db_table = "rate_limit_hits"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["scope", "key", "created_at"], name="idx_rate_limit_hits_key"),
            models.Index(fields=["scope", "created_at"], name="idx_rate_limit_hits_scope"),
        ]

    def __str__(self) -> str:
        return f"{self.scope}: {self.key}"
