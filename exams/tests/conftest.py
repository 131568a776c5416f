"""Fixtures shared by the exams app's tests."""

import pytest

from accounts.models import User
from accounts.tests.factories import UserFactory
from exams.models import Syllabus
from exams.tests.factories import load_pcep_syllabus
from exams.tests.jail import require_jail


@pytest.fixture
def syllabus(db) -> Syllabus:
    """The real PCEP-30-02 syllabus: 4 blocks, 15 objectives and its mock exam."""
    return load_pcep_syllabus()


@pytest.fixture
def user(db) -> User:
    """A learner whose password is `accounts.tests.factories.DEFAULT_PASSWORD`."""
    return UserFactory()


@pytest.fixture
def jail() -> None:
    """The verifier's jail works here (skipped where it cannot, a failure in CI)."""
    require_jail()
