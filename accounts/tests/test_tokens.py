"""API tokens in the site: the profile's token section."""

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.services import MAX_ACTIVE_TOKENS_PER_USER
from accounts.tests.factories import ApiTokenFactory, UserFactory

pytestmark = pytest.mark.django_db

ME_URL = "/api/v1/me/"
SECRET = re.compile(r"pcep_[A-Za-z0-9_-]{40,}")


@pytest.fixture
def learner():
    return UserFactory()


@pytest.fixture
def learner_client(client, learner):
    client.force_login(learner)
    return client


def _me_status(key: str) -> int:
    return APIClient().get(ME_URL, HTTP_AUTHORIZATION=f"Bearer {key}").status_code


def _create_token(client, name="My laptop"):
    return client.post(reverse("accounts:token_create"), {"name": name})


def _secret_on(page: str) -> str | None:
    found = SECRET.search(page)
    return found.group() if found else None


# ---------------------------------------------------------------------------------------
# Profile
# ---------------------------------------------------------------------------------------


def test_profile_links_the_api_docs_and_offers_a_named_token(learner_client):
    page = learner_client.get(reverse("accounts:profile")).content.decode()

    assert f'href="{reverse("api:docs")}"' in page
    assert '<label for="id_name">Token name:</label>' in page
    assert "You have no API tokens yet." in page


def test_created_token_secret_is_shown_once_and_authenticates(learner_client, learner):
    response = _create_token(learner_client, "School LMS")

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    key = _secret_on(page)
    assert key, page
    assert "it will not be shown again" in page
    token = ApiToken.objects.get(user=learner)
    assert token.name == "School LMS"
    assert key.startswith(token.prefix)
    assert _me_status(key) == 200

    reloaded = learner_client.get(reverse("accounts:profile")).content.decode()
    assert _secret_on(reloaded) is None
    assert "School LMS" in reloaded
    assert f"{token.prefix}…" in reloaded


def test_revoked_token_no_longer_authenticates(learner_client, learner):
    key = _secret_on(_create_token(learner_client).content.decode())
    token = ApiToken.objects.get(user=learner)

    response = learner_client.post(reverse("accounts:token_revoke", args=[token.pk]))

    assert response.status_code == 302
    assert response.url == reverse("accounts:profile")
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert _me_status(key) == 401
    page = learner_client.get(response.url).content.decode()
    assert "is revoked; it no longer works" in page
    assert '<span class="badge">revoked' in page
    assert reverse("accounts:token_revoke", args=[token.pk]) not in page  # nothing to revoke


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("   ", "Give the token a name, so that you can tell it apart later."),
        ("x" * 101, "A token name can be at most 100 characters."),
    ],
)
def test_bad_name_is_shown_by_the_form_and_issues_nothing(learner_client, name, message):
    response = _create_token(learner_client, name)

    assert response.status_code == 200
    assert response.context["token_form"].errors == {"name": [message]}
    page = response.content.decode()
    assert message in page
    assert _secret_on(page) is None
    assert not ApiToken.objects.exists()


def test_too_many_active_tokens_is_shown_and_issues_nothing(learner_client, learner):
    ApiTokenFactory.create_batch(MAX_ACTIVE_TOKENS_PER_USER, user=learner)

    response = _create_token(learner_client)

    assert f"You already have {MAX_ACTIVE_TOKENS_PER_USER} active tokens" in (
        response.content.decode()
    )
    assert ApiToken.objects.count() == MAX_ACTIVE_TOKENS_PER_USER


def test_profile_lists_only_the_learners_own_tokens(learner_client, learner):
    ApiTokenFactory(user=learner, name="Mine")
    ApiTokenFactory(name="Somebody else's")

    page = learner_client.get(reverse("accounts:profile")).content.decode()

    assert "Mine" in page
    assert "Somebody else" not in page


def test_revoking_another_users_token_is_not_found_and_changes_nothing(learner_client):
    other_token = ApiTokenFactory()

    response = learner_client.post(reverse("accounts:token_revoke", args=[other_token.pk]))

    assert response.status_code == 404
    other_token.refresh_from_db()
    assert other_token.is_active


def test_revoke_by_get_is_not_allowed(learner_client, learner):
    token = ApiTokenFactory(user=learner)

    assert learner_client.get(reverse("accounts:token_revoke", args=[token.pk])).status_code == 405
    token.refresh_from_db()
    assert token.is_active


@pytest.mark.parametrize("url_name", ["accounts:token_create", "accounts:token_revoke"])
def test_anonymous_token_requests_go_to_the_login(client, url_name):
    token = ApiTokenFactory()
    url = reverse(url_name, args=[token.pk] if url_name.endswith("revoke") else [])

    response = client.post(url, {"name": "Sneaky"})

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert ApiToken.objects.count() == 1
    token.refresh_from_db()
    assert token.is_active
