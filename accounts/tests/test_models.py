"""The users table: uniqueness, password hashing, profile data and what a deletion removes."""

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.db import IntegrityError, connection, transaction

from accounts.models import User
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from exams.models import ExamSession, UserResponse
from exams.tests.factories import ExamSessionFactory, UserResponseFactory
from progress.models import UserProgress
from progress.tests.factories import UserProgressFactory

pytestmark = pytest.mark.django_db


def test_duplicate_username_is_rejected():
    UserFactory(username="ada")

    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(username="ada", email="other@example.com")

    assert User.objects.filter(username="ada").count() == 1


def test_duplicate_email_is_rejected():
    UserFactory(email="ada@example.com")

    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(username="someone-else", email="ada@example.com")

    assert User.objects.filter(email="ada@example.com").count() == 1


def test_password_is_stored_hashed_in_password_hash_column():
    user = UserFactory()

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT {} FROM {} WHERE {} = %s".format(
                connection.ops.quote_name("password_hash"),
                connection.ops.quote_name("users"),
                connection.ops.quote_name("id"),
            ),
            [user.pk],
        )
        (stored,) = cursor.fetchone()

    assert stored != DEFAULT_PASSWORD
    assert DEFAULT_PASSWORD not in stored
    assert identify_hasher(stored).algorithm  # a recognised Django hash format
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)
    assert not user.check_password("wrong-password")


def test_factory_hashes_a_password_given_to_it():
    user = UserFactory(password="another-Secret-456")

    assert user.password != "another-Secret-456"
    assert user.check_password("another-Secret-456")


def test_profile_data_round_trips_a_dict():
    profile = {"display_name": "Ada", "goals": ["pass PCEP"], "target_score": 850}
    user = UserFactory(profile_data=profile)

    user.refresh_from_db()

    assert user.profile_data == profile


def test_new_user_is_active_with_empty_profile():
    user = UserFactory()

    user.refresh_from_db()

    assert user.is_active is True
    assert user.profile_data == {}
    assert user.date_joined is not None


def test_deleting_user_removes_their_sessions_responses_and_progress():
    session = ExamSessionFactory()
    learner = session.user
    response = UserResponseFactory(session=session)
    UserProgressFactory(user=learner)
    other_session = ExamSessionFactory()
    other_progress = UserProgressFactory()

    learner.delete()

    assert not ExamSession.objects.filter(user_id=learner.pk).exists()
    assert not UserResponse.objects.filter(pk=response.pk).exists()
    assert not UserProgress.objects.filter(user_id=learner.pk).exists()
    assert list(ExamSession.objects.all()) == [other_session]
    assert list(UserProgress.objects.all()) == [other_progress]
