"""Admin "Add user": it asks for the email address every account needs."""

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import UserFactory


@pytest.mark.django_db
def test_add_user_asks_for_the_email_and_stores_it(admin_client):
    page = admin_client.get(reverse("admin:accounts_user_add")).content.decode()
    assert 'name="email"' in page

    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "new-learner",
            "email": "new-learner@example.com",
            "usable_password": "true",
            "password1": "a-long-Passphrase-42",
            "password2": "a-long-Passphrase-42",
        },
    )

    assert response.status_code == 302
    assert User.objects.get(username="new-learner").email == "new-learner@example.com"


@pytest.mark.django_db
def test_add_user_refuses_a_missing_or_taken_email_with_a_message(admin_client):
    UserFactory(email="taken@example.com")
    for email, message in (("", "This field is required"), ("taken@example.com", "already")):
        response = admin_client.post(
            reverse("admin:accounts_user_add"),
            {
                "username": "someone",
                "email": email,
                "usable_password": "true",
                "password1": "a-long-Passphrase-42",
                "password2": "a-long-Passphrase-42",
            },
        )
        assert response.status_code == 200
        assert message in response.content.decode()
    assert not User.objects.filter(username="someone").exists()
