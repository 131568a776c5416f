"""factory_boy factories for the accounts app: `UserFactory`, `ApiTokenFactory`."""

from functools import cache

import factory
from django.contrib.auth.hashers import make_password
from factory.django import DjangoModelFactory

from accounts.models import ApiToken, User
from accounts.services import issue_api_token

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

    Verified by default, as the learners of every test written before email verification
    were: their answers count in cohort views. `UserFactory(email_verified=False)` is a
    learner who has not opened the sign-up link yet.
    """

    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"learner{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.Transformer(DEFAULT_PASSWORD, transform=_hash_password)
    email_verified = True


class ApiTokenFactory(DjangoModelFactory):
    """An active token made by `issue_api_token`, so that it follows the service's rules; its
    secret is thrown away (tests that need one issue the token themselves)."""

    class Meta:
        model = ApiToken

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Token {n}")

    @classmethod
    def _create(cls, model_class, **kwargs):
        token, _key = issue_api_token(**kwargs)
        return token
