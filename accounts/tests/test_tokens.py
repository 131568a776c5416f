"""API tokens in the site: the profile's token section and the ApiToken admin."""

import re

import pytest
from django.contrib.auth.models import Group
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


# ---------------------------------------------------------------------------------------
# Admin
# ---------------------------------------------------------------------------------------


@pytest.fixture
def superuser():
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def superuser_client(client, superuser):
    client.force_login(superuser)
    return client


def test_staff_issue_a_token_for_a_service_account_once(superuser_client, superuser):
    service_account = UserFactory(username="lms-bot")

    response = superuser_client.post(
        reverse("admin:accounts_apitoken_add"),
        {"user": service_account.pk, "name": "School LMS"},
        follow=True,
    )

    assert response.status_code == 200
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.created_by) == (service_account, "School LMS", superuser)
    shown = [str(message) for message in response.context["messages"]]
    keys = [_secret_on(message) for message in shown if _secret_on(message)]
    assert len(keys) == 1, shown
    assert "it will not be shown again" in " ".join(shown)
    assert _me_status(keys[0]) == 200
    assert superuser_client.get(reverse("admin:accounts_apitoken_changelist")).status_code == 200


def test_admin_add_form_asks_only_for_user_and_name(superuser_client):
    form = superuser_client.get(reverse("admin:accounts_apitoken_add")).context["adminform"]

    assert list(form.form.fields) == ["user", "name"]


def test_admin_add_with_too_many_tokens_shows_the_rule_and_adds_nothing(superuser_client):
    service_account = UserFactory()
    ApiTokenFactory.create_batch(MAX_ACTIVE_TOKENS_PER_USER, user=service_account)

    response = superuser_client.post(
        reverse("admin:accounts_apitoken_add"),
        {"user": service_account.pk, "name": "One more"},
        follow=True,
    )

    assert "active tokens; revoke one first" in response.content.decode()
    assert ApiToken.objects.count() == MAX_ACTIVE_TOKENS_PER_USER


def test_admin_token_page_is_read_only_and_never_shows_the_hash(superuser_client):
    token = ApiTokenFactory(name="Before")
    url = reverse("admin:accounts_apitoken_change", args=[token.pk])

    page = superuser_client.get(url).content.decode()

    assert token.key_hash not in page
    assert "key_hash" not in page
    assert 'name="name"' not in page  # shown, not editable
    assert superuser_client.post(url, {"name": "After"}).status_code == 403
    token.refresh_from_db()
    assert token.name == "Before"


def test_admin_changelist_never_shows_the_hash(superuser_client):
    token = ApiTokenFactory()

    page = superuser_client.get(reverse("admin:accounts_apitoken_changelist")).content.decode()

    assert token.prefix in page
    assert token.key_hash not in page


def test_admin_revoke_action_revokes_the_selected_tokens(superuser_client):
    selected, other = ApiTokenFactory(), ApiTokenFactory()

    response = superuser_client.post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke_tokens", "_selected_action": [selected.pk]},
        follow=True,
    )

    assert "1 token(s) revoked." in response.content.decode()
    selected.refresh_from_db()
    other.refresh_from_db()
    assert not selected.is_active
    assert other.is_active


def test_admin_status_filter_separates_active_and_revoked(superuser_client):
    active, revoked = ApiTokenFactory(name="Still on"), ApiTokenFactory(name="Turned off")
    superuser_client.post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke_tokens", "_selected_action": [revoked.pk]},
    )
    changelist = reverse("admin:accounts_apitoken_changelist")

    shown_active = superuser_client.get(changelist, {"status": "active"}).context["cl"]
    shown_revoked = superuser_client.get(changelist, {"status": "revoked"}).context["cl"]

    assert list(shown_active.queryset) == [active]
    assert list(shown_revoked.queryset) == [revoked]


@pytest.mark.parametrize("url", ["/admin/accounts/apitoken/", "/admin/accounts/apitoken/add/"])
def test_instructors_cannot_manage_api_tokens(client, url):
    instructor = UserFactory(is_staff=True)
    instructor.groups.add(Group.objects.get(name="Instructors"))
    client.force_login(instructor)

    assert client.get(url).status_code == 403
