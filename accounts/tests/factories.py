"""factory_boy factories for the accounts app: `UserFactory`."""

from functools import cache

import factory
from django.contrib.auth.hashers import make_password
from factory.django import DjangoModelFactory

from accounts.models import User

DEFAULT_PASSWORD = "pw-Complex-123"


@cache
def _hash_password(raw_password: str) -> str:
    # Django's PBKDF2 hasher takes a noticeable fraction of a second per call; one hash per
    # distinct password keeps suites that create many users fast. check_password still works
    # because each stored value is a complete, valid hash.
    return make_password(raw_password)


class UserFactory(DjangoModelFactory):
    """A learner with a unique username and email and the password `DEFAULT_PASSWORD`.

    `UserFactory(password="other")` stores the hash of "other", never the plain text, so
    `client.login(username=user.username, password=...)` works with either.
    """

    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"learner{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.Transformer(DEFAULT_PASSWORD, transform=_hash_password)
