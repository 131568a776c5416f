"""The exams app's domain errors, each with a message a person can act on."""


class ExamsError(Exception):
    """Base class: the message is shown to the user as it is.

    `code` is a stable machine-readable name for integrations (the REST API's error
    envelope); `field` names the input at fault, when there is one.
    """

    default_code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.field = field


class ContentError(ExamsError):
    """A content or syllabus file cannot be loaded."""

    default_code = "content_invalid"


class AttemptError(ExamsError):
    """An exam or practice action breaks a rule (finished attempt, deadline passed, bad answer)."""

    default_code = "attempt_rule"


class AttemptNotFound(AttemptError):
    """No such attempt, or another learner's: to the asker, the same thing (a 404)."""

    default_code = "not_found"


# The attempt is over (submitted, or its time ran out): a conflict, not bad input.
ATTEMPT_FINISHED = "attempt_finished"
