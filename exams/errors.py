"""The exams app's domain errors, each with a message a person can act on."""


class ExamsError(Exception):
    """Base class: the message is shown to the user as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ContentError(ExamsError):
    """A content or syllabus file cannot be loaded."""


class AttemptError(ExamsError):
    """An exam or practice action breaks a rule (finished attempt, deadline passed, bad answer)."""
