"""Constraints and delete rules of the progress model."""

import pytest
from django.db import IntegrityError, transaction

from exams.tests.factories import TopicFactory
from progress.models import UserProgress
from progress.tests.factories import UserProgressFactory

pytestmark = pytest.mark.django_db


def test_second_progress_row_for_same_user_and_topic_is_rejected():
    progress = UserProgressFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        UserProgress.objects.create(user=progress.user, topic=progress.topic)

    assert UserProgress.objects.filter(user=progress.user).count() == 1


def test_learner_has_one_progress_row_per_topic():
    progress = UserProgressFactory()
    other_topic = TopicFactory()

    UserProgress.objects.create(user=progress.user, topic=other_topic)
    UserProgressFactory(topic=progress.topic)  # another learner on the same topic

    assert UserProgress.objects.filter(user=progress.user).count() == 2
    assert UserProgress.objects.filter(topic=progress.topic).count() == 2


def test_deleting_topic_deletes_learners_progress_on_it():
    progress = UserProgressFactory()
    kept = UserProgressFactory(user=progress.user)

    progress.topic.delete()

    assert list(UserProgress.objects.all()) == [kept]
