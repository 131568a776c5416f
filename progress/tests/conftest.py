"""Shared fixtures: the real syllabus and a learner, as in exams' tests."""

from exams.tests.conftest import syllabus, user  # noqa: F401  (pytest fixtures)
