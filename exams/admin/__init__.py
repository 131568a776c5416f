"""Admin registrations, one module per area: syllabus and sets, questions, attempts."""

from exams.admin import attempts, questions, syllabus  # noqa: F401  (registers the admins)
