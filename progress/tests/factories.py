"""factory_boy factories for the progress app: `UserProgressFactory`."""

import factory
from factory.django import DjangoModelFactory

from accounts.tests.factories import UserFactory
from exams.tests.factories import TopicFactory
from progress.models import UserProgress


class UserProgressFactory(DjangoModelFactory):
    """A new learner's untouched progress row on a new objective."""

    class Meta:
        model = UserProgress

    user = factory.SubFactory(UserFactory)
    topic = factory.SubFactory(TopicFactory)
    proficiency_level = 0.0
    questions_attempted = 0
    questions_correct = 0
