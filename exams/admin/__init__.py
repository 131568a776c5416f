"""Admin registrations, one module per area: syllabus and sets, questions, attempts, webhooks."""

# Importing the modules registers their admins.
from exams.admin import attempts, questions, reports, syllabus, webhooks  # noqa: F401
