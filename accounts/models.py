"""The user model: the design's `users` table on top of Django's authentication."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
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

    objects = UserManager()

    REQUIRED_FIELDS = ["email"]

    class Meta:
        db_table = "users"
        indexes = [
            models.Index(fields=["username"], name="idx_users_username"),
            models.Index(fields=["email"], name="idx_users_email"),
            models.Index(fields=["date_joined"], name="idx_users_created_at"),
        ]

    def __str__(self) -> str:
        return self.username
