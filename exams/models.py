"""The syllabus (modules, topics), question sets, questions, answers, attempts and responses;
the integration webhooks' endpoints and delivery log."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone


class Syllabus(models.Model):
    """An exam's published syllabus (extension: lets PCEP-30-03 load beside PCEP-30-02)."""

    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    syllabus_date = models.DateField(null=True, blank=True)
    source_url = models.URLField(blank=True)
    attribution = models.TextField(blank=True)
    facts = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_default=Now())

    class Meta:
        db_table = "syllabi"
        verbose_name_plural = "syllabi"

    def __str__(self) -> str:
        return self.code


class Module(models.Model):
    """A syllabus block (the design's `modules`)."""

    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(null=True, blank=True)
    display_order = models.IntegerField(default=0, db_default=0)
    created_at = models.DateTimeField(default=timezone.now, db_default=Now(), null=True)
    # Extensions (docs/schema.md): which syllabus and block this is, and its exam weight.
    syllabus = models.ForeignKey(
        Syllabus, on_delete=models.CASCADE, related_name="modules", null=True, blank=True
    )
    number = models.PositiveSmallIntegerField(null=True, blank=True)
    weight_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    exam_items = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        db_table = "modules"
        ordering = ["display_order", "id"]
        indexes = [models.Index(fields=["display_order"], name="idx_modules_display_order")]

    def __str__(self) -> str:
        return f"Block {self.number}: {self.name}" if self.number else self.name


class TopicQuerySet(models.QuerySet):
    def for_syllabus(self, syllabus_code: str) -> TopicQuerySet:
        return self.filter(module__syllabus__code=syllabus_code)


class Topic(models.Model):
    """A syllabus objective such as "1.4" (the design's `topics`)."""

    name = models.CharField(max_length=200)
    description = models.TextField(null=True, blank=True)
    module = models.ForeignKey(
        Module,
        on_delete=models.CASCADE,
        related_name="topics",
        null=True,
        blank=True,
        db_index=False,
    )
    display_order = models.IntegerField(default=0, db_default=0)
    created_at = models.DateTimeField(default=timezone.now, db_default=Now(), null=True)
    # Extension: the objective's code ("1.4") that content files refer to.
    code = models.CharField(max_length=10, blank=True, default="")

    objects = TopicQuerySet.as_manager()

    class Meta:
        db_table = "topics"
        ordering = ["module__display_order", "display_order", "id"]
        indexes = [
            models.Index(fields=["module"], name="idx_topics_module_id"),
            models.Index(fields=["display_order"], name="idx_topics_display_order"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["name", "module"], name="idx_topics_name_module"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}" if self.code else self.name


class ExamQuerySet(models.QuerySet):
    def active(self) -> ExamQuerySet:
        """The design's soft delete: inactive exams are hidden but keep their history."""
        return self.filter(is_active=True)

    def offered(self) -> ExamQuerySet:
        """Exams a learner can start: mock exams and fixed sets, not raw question banks."""
        return self.active().exclude(kind=Exam.Kind.BANK)


class Exam(models.Model):
    """A mock exam blueprint, a fixed question set, or a bank file (the design's `exams`)."""

    class Kind(models.TextChoices):
        MOCK = "mock", "Mock exam (drawn from the bank by blueprint)"
        FIXED = "fixed", "Fixed question set"
        BANK = "bank", "Question bank file"

    title = models.CharField(max_length=200)
    description = models.TextField(null=True, blank=True)
    time_limit = models.IntegerField(default=3600, db_default=3600, help_text="Seconds.")
    total_questions = models.IntegerField(default=0, db_default=0)
    source_file = models.CharField(max_length=255, null=True, blank=True)
    version = models.CharField(max_length=20, default="1.0", db_default="1.0")
    created_at = models.DateTimeField(default=timezone.now, db_default=Now(), null=True)
    updated_at = models.DateTimeField(auto_now=True, db_default=Now(), null=True)
    is_active = models.BooleanField(default=True, db_default=True)
    metadata = models.JSONField(default=dict, blank=True, null=True)
    # Extensions (docs/schema.md).
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.FIXED)
    code = models.CharField(max_length=40, blank=True, default="")
    syllabus = models.ForeignKey(
        Syllabus, on_delete=models.SET_NULL, related_name="exams", null=True, blank=True
    )
    pass_percent = models.PositiveSmallIntegerField(default=70)
    max_score = models.PositiveIntegerField(default=1000)
    # Items to draw per block, e.g. {"1": 7, "2": 8, "3": 7, "4": 8}; only for mock exams.
    blueprint = models.JSONField(default=dict, blank=True)
    # Points each block's drawn items add up to, e.g. {"1": 180, "2": 290, "3": 250, "4": 280}:
    # the real exam fixes every block's share of the score. Empty: any mix of points.
    block_points = models.JSONField(default=dict, blank=True)

    objects = ExamQuerySet.as_manager()

    class Meta:
        db_table = "exams"
        ordering = ["title"]
        indexes = [
            models.Index(fields=["title"], name="idx_exams_title"),
            models.Index(fields=["created_at"], name="idx_exams_created_at"),
            models.Index(fields=["is_active"], name="idx_exams_is_active"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def time_limit_minutes(self) -> int:
        return self.time_limit // 60


class QuestionQuerySet(models.QuerySet):
    def active(self) -> QuestionQuerySet:
        return self.filter(is_active=True, exam__is_active=True)

    def drawable(self) -> QuestionQuerySet:
        """Active questions learners may be given: never one whose key the verifier refuted
        ("mismatch") or could not run ("error"), until it is fixed and verified again."""
        return self.active().exclude(verification_status__in=Question.BLOCKED_STATUSES)

    def blocked(self) -> QuestionQuerySet:
        return self.filter(verification_status__in=Question.BLOCKED_STATUSES)

    def in_module(self, module: Module) -> QuestionQuerySet:
        return self.filter(topic__module=module)


class Question(models.Model):
    """One exam item (the design's `questions`)."""

    class Kind(models.TextChoices):
        SINGLE = "single", "Single choice"
        MULTIPLE = "multiple", "Multiple choice"
        ORDER = "order", "Ordering"
        GAP = "gap", "Gap fill"
        TILES = "tiles", "Drag and drop from a tile pool"
        INSERT = "insert", "Code insertion"
        LINES = "lines", "Select the lines"

    class VerifyMode(models.TextChoices):
        OUTPUT = "output", "Output of the code"
        EXPRESSIONS = "expressions", "Each answer is an expression that is True when correct"
        RUNS = "runs", "Each answer runs without error when correct"
        PRINTS = "prints", "Each answer prints the stated output when correct"
        NONE = "none", "Not verifiable"

    class VerificationStatus(models.TextChoices):
        UNCHECKED = "unchecked", "Not checked yet"
        VERIFIED = "verified", "Verified"
        MISMATCH = "mismatch", "Mismatch"
        ERROR = "error", "Error (could not be run)"
        NOT_VERIFIABLE = "not_verifiable", "Not verifiable"

    class Origin(models.TextChoices):
        FILE = "file", "Imported from a file"
        ADMIN = "admin", "Created in admin"
        API = "api", "Written through the API"

    class LineRule(models.TextChoices):
        RAISES = "raises", "Lines that raise an exception"
        UNEXECUTED = "unexecuted", "Lines that never run"

    # Kinds whose response is a choice of options (the single ones take exactly one).
    CHOICE_KINDS = ("single", "multiple", "insert", "lines")
    SINGLE_ANSWER_KINDS = ("single", "insert")
    MULTIPLE_ANSWER_KINDS = ("multiple", "lines")
    # Kinds whose response is one text per numbered gap of the code.
    GAP_KINDS = ("gap", "tiles")
    INTERACTIVE_KINDS = ("order", "gap", "tiles", "insert", "lines")
    BLOCKED_STATUSES = ("mismatch", "error")

    original_id = models.CharField(max_length=50, null=True, blank=True, db_index=False)
    text = models.TextField()
    html_content = models.TextField(null=True, blank=True)
    difficulty = models.IntegerField(
        default=1, db_default=1, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    topic = models.ForeignKey(
        Topic,
        on_delete=models.SET_NULL,
        related_name="questions",
        null=True,
        blank=True,
        db_index=False,
    )
    exam = models.ForeignKey(
        Exam,
        on_delete=models.CASCADE,
        related_name="questions",
        null=True,
        blank=True,
        db_index=False,
    )
    code_snippet = models.TextField(null=True, blank=True)
    explanation = models.TextField(null=True, blank=True)
    question_order = models.IntegerField(default=0, db_default=0)
    created_at = models.DateTimeField(default=timezone.now, db_default=Now(), null=True)
    # Extensions (docs/schema.md).
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SINGLE)
    points = models.PositiveSmallIntegerField(
        default=20, choices=[(20, "20"), (30, "30"), (40, "40")]
    )
    choose = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Multiple choice: how many answers to pick."
    )
    stdin = models.TextField(blank=True, default="")
    expected_output = models.TextField(
        blank=True, default="", help_text="Order, gap and 'prints' questions: the exact output."
    )
    explanation_html = models.TextField(blank=True, default="")
    verify_mode = models.CharField(
        max_length=12, choices=VerifyMode.choices, default=VerifyMode.OUTPUT
    )
    verify_reason = models.TextField(blank=True, default="")
    verification_status = models.CharField(
        max_length=16, choices=VerificationStatus.choices, default=VerificationStatus.UNCHECKED
    )
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True, null=True)
    line_rule = models.CharField(
        max_length=12,
        choices=LineRule.choices,
        blank=True,
        default="",
        db_default="",
        help_text="Select-the-lines questions: which lines the learner selects.",
    )
    # Ownership (docs/content-format.md, "Who owns a question"): where the question came
    # from, the content hash of the version last taken from its file, and of the version the
    # file had at the last import (they differ when an edit here was kept over the file's).
    origin = models.CharField(
        max_length=8, choices=Origin.choices, default=Origin.ADMIN, db_default=Origin.ADMIN
    )
    imported_hash = models.CharField(max_length=64, blank=True, default="", db_default="")
    file_hash = models.CharField(max_length=64, blank=True, default="", db_default="")
    # What the verifier said, for the admin: its problems, and when.
    verification_detail = models.TextField(blank=True, default="", db_default="")
    verified_at = models.DateTimeField(null=True, blank=True)
    # A key no code can check (prose, concept ordering) is signed off by a reviewer instead.
    reviewed_by = models.CharField(max_length=150, blank=True, default="", db_default="")
    reviewed_on = models.DateField(null=True, blank=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        db_table = "questions"
        ordering = ["question_order", "id"]
        indexes = [
            models.Index(fields=["exam"], name="idx_questions_exam_id"),
            models.Index(fields=["topic"], name="idx_questions_topic_id"),
            models.Index(fields=["difficulty"], name="idx_questions_difficulty"),
            models.Index(fields=["original_id"], name="idx_questions_original_id"),
            models.Index(fields=["question_order"], name="idx_questions_order"),
        ]
        constraints = [
            # Re-imports update a question in place by its stable id, so it must be unique.
            models.UniqueConstraint(
                fields=["original_id"],
                condition=models.Q(original_id__isnull=False),
                name="questions_original_id_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(difficulty__gte=1, difficulty__lte=5),
                name="questions_difficulty_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return self.original_id or f"Question {self.pk}"

    @property
    def takes_choices(self) -> bool:
        return self.kind in self.CHOICE_KINDS

    @property
    def takes_one_choice(self) -> bool:
        return self.kind in self.SINGLE_ANSWER_KINDS

    @property
    def takes_gap_texts(self) -> bool:
        return self.kind in self.GAP_KINDS

    @property
    def is_blocked(self) -> bool:
        return self.verification_status in self.BLOCKED_STATUSES


class KeyVerdict(models.Model):
    """The verifier's verdict on one version of a key, remembered by a hash of everything the
    verdict depends on (code, stdin, options and key, kind, mode, interpreter): an unchanged
    bank re-verifies from these rows without running anything."""

    key_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=16, choices=Question.VerificationStatus.choices)
    detail = models.TextField(blank=True, default="")
    checked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "key_verdicts"

    def __str__(self) -> str:
        return f"{self.key_hash[:12]}: {self.status}"


class Answer(models.Model):
    """An option, an item to order, or a gap's accepted text (the design's `answers`)."""

    original_id = models.CharField(max_length=50, null=True, blank=True, db_index=False)
    text = models.TextField()
    html_content = models.TextField(null=True, blank=True)
    is_correct = models.BooleanField(db_index=False)
    explanation = models.TextField(null=True, blank=True)
    question = models.ForeignKey(
        Question,
        on_delete=models.CASCADE,
        related_name="answers",
        null=True,
        blank=True,
        db_index=False,
    )
    answer_order = models.IntegerField(default=0, db_default=0)
    created_at = models.DateTimeField(default=timezone.now, db_default=Now(), null=True)
    # Extensions (docs/schema.md).
    raises = models.CharField(
        max_length=60,
        blank=True,
        default="",
        help_text='Exception class this option means, or "any".',
    )
    gap_number = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Gap questions: which gap this accepted text fills."
    )

    class Meta:
        db_table = "answers"
        ordering = ["answer_order", "id"]
        indexes = [
            models.Index(fields=["question"], name="idx_answers_question_id"),
            models.Index(fields=["is_correct"], name="idx_answers_is_correct"),
            models.Index(fields=["original_id"], name="idx_answers_original_id"),
            models.Index(fields=["answer_order"], name="idx_answers_order"),
        ]

    def __str__(self) -> str:
        return self.text[:60]


class ItemReportQuerySet(models.QuerySet):
    def open(self) -> ItemReportQuerySet:
        return self.filter(status=ItemReport.Status.OPEN)


class ItemReport(models.Model):
    """A learner's report of a problem with an item they answered (the admin's queue)."""

    class Reason(models.TextChoices):
        WRONG_KEY = "wrong_key", "The key is wrong"
        UNCLEAR = "unclear", "The question is unclear"
        TYPO = "typo", "Typo or formatting"
        OTHER = "other", "Something else"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"
        DISMISSED = "dismissed", "Dismissed"

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="reports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    session = models.ForeignKey(
        "ExamSession", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=12, choices=Reason.choices)
    message = models.TextField(blank=True, default="", max_length=2000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolution = models.TextField(blank=True, default="")

    objects = ItemReportQuerySet.as_manager()

    class Meta:
        db_table = "item_reports"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["question", "status"], name="idx_item_reports_question")]

    def __str__(self) -> str:
        return f"{self.question} — {self.get_reason_display()}"


# Practice has no exam to take a scale from; it reads like the real exam, out of 1000.
PRACTICE_MAX_SCORE = 1000


class ExamSessionQuerySet(models.QuerySet):
    def for_user(self, user) -> ExamSessionQuerySet:
        return self.filter(user=user)

    def in_progress(self) -> ExamSessionQuerySet:
        return self.filter(is_completed=False)

    def completed(self) -> ExamSessionQuerySet:
        return self.filter(is_completed=True)

    def overdue(self, *, now=None) -> ExamSessionQuerySet:
        return self.in_progress().filter(deadline__lt=now or timezone.now())


class ExamSession(models.Model):
    """One attempt at an exam or one practice session (the design's `exam_sessions`)."""

    class Mode(models.TextChoices):
        EXAM = "exam", "Exam"
        PRACTICE = "practice", "Practice"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="exam_sessions",
        null=True,
        db_index=False,
    )
    exam = models.ForeignKey(
        Exam, on_delete=models.CASCADE, related_name="sessions", null=True, db_index=False
    )
    start_time = models.DateTimeField(default=timezone.now, db_default=Now(), null=True)
    end_time = models.DateTimeField(null=True, blank=True)
    is_completed = models.BooleanField(default=False, db_default=False)
    score = models.FloatField(default=0.0, db_default=0.0, help_text="Percentage.")
    total_questions = models.IntegerField(default=0, db_default=0)
    correct_answers = models.IntegerField(default=0, db_default=0)
    time_spent = models.IntegerField(default=0, db_default=0, help_text="Seconds.")
    session_data = models.JSONField(default=dict, blank=True, null=True)
    created_at = models.DateTimeField(default=timezone.now, db_default=Now(), null=True)
    # Extensions (docs/schema.md).
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.EXAM)
    deadline = models.DateTimeField(null=True, blank=True)
    points_earned = models.FloatField(default=0.0)
    points_possible = models.IntegerField(default=0)
    scaled_score = models.IntegerField(null=True, blank=True, help_text="Score out of max_score.")
    passed = models.BooleanField(null=True, blank=True)

    objects = ExamSessionQuerySet.as_manager()

    class Meta:
        db_table = "exam_sessions"
        ordering = ["-start_time", "-id"]
        indexes = [
            models.Index(fields=["user"], name="idx_exam_sessions_user_id"),
            models.Index(fields=["exam"], name="idx_exam_sessions_exam_id"),
            models.Index(fields=["start_time"], name="idx_exam_sessions_start_time"),
            models.Index(fields=["is_completed"], name="idx_exam_sessions_is_completed"),
        ]

    def __str__(self) -> str:
        return f"{self.exam} — {self.user} ({self.start_time:%Y-%m-%d %H:%M})"

    @property
    def max_score(self) -> int:
        """The scale of scaled_score: the exam's, and the PCEP's 1000 for practice."""
        return self.exam.max_score if self.exam_id else PRACTICE_MAX_SCORE


class UserResponse(models.Model):
    """A learner's response to one item of an attempt (the design's `user_responses`)."""

    session = models.ForeignKey(
        ExamSession, on_delete=models.CASCADE, related_name="responses", null=True, db_index=False
    )
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="responses", null=True, db_index=False
    )
    answer = models.ForeignKey(
        Answer,
        on_delete=models.CASCADE,
        related_name="responses",
        null=True,
        blank=True,
        db_index=False,
    )
    is_correct = models.BooleanField(db_index=False)
    is_bookmarked = models.BooleanField(default=False, db_default=False, db_index=False)
    is_skipped = models.BooleanField(default=False, db_default=False)
    time_taken = models.FloatField(default=0.0, db_default=0.0, help_text="Seconds.")
    response_data = models.JSONField(default=dict, blank=True, null=True)
    created_at = models.DateTimeField(default=timezone.now, db_default=Now(), null=True)
    # Extensions (docs/schema.md).
    # The item as the attempt showed it (exams/snapshots.py), written once at the start and
    # by a regrade: its own column, so an answer save, which rewrites response_data, does
    # not rewrite this copy (most of the row's bytes) with it.
    shown = models.JSONField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    points_earned = models.FloatField(default=0.0)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "user_responses"
        ordering = ["position", "id"]
        indexes = [
            models.Index(fields=["session"], name="idx_user_responses_session_id"),
            models.Index(fields=["question"], name="idx_user_responses_question_id"),
            models.Index(fields=["is_correct"], name="idx_user_responses_is_correct"),
            models.Index(fields=["is_bookmarked"], name="idx_user_responses_is_bookmarked"),
            # The cohort view's counts per question, verdict and range of dates
            # (exams.statistics.cohort_counts_by_question): each is one range of this index.
            models.Index(
                fields=["question", "is_correct", "answered_at"],
                name="idx_user_responses_question_correct_answered",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "question"], name="idx_user_responses_session_question"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.question_id}"


# ---------------------------------------------------------------------------------------
# Integration webhooks (exams/webhooks.py sends them; exams/admin/webhooks.py manages them)
# ---------------------------------------------------------------------------------------


class WebhookEvent(models.TextChoices):
    ATTEMPT_FINISHED = "attempt.finished", "Attempt finished"


def default_webhook_events() -> list[str]:
    return [WebhookEvent.ATTEMPT_FINISHED]


class WebhookEndpoint(models.Model):
    """A staff-configured receiver of signed JSON events."""

    name = models.CharField(max_length=100)
    url = models.URLField(
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="Receives a POST for each event; http or https only.",
    )
    secret = models.CharField(
        max_length=128,
        blank=True,
        help_text="Signs every request (HMAC-SHA256); generated when left blank.",
    )
    is_active = models.BooleanField(default=True)
    events = models.JSONField(default=default_webhook_events, help_text="Event names sent.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "webhook_endpoints"
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.secret:
            self.secret = generate_webhook_secret()
        super().save(*args, **kwargs)


def generate_webhook_secret() -> str:
    return secrets.token_urlsafe(32)


class WebhookDelivery(models.Model):
    """One event for one endpoint, and how sending it went (the admin's delivery log)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    # The id receivers see (payload "id", header X-PCEP-Delivery) to drop a repeated delivery.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=40, choices=WebhookEvent.choices)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "webhook_deliveries"
        ordering = ["-created_at"]
        verbose_name_plural = "webhook deliveries"
        indexes = [
            # deliver_webhooks looks up the due ones: pending, oldest next_attempt_at first.
            models.Index(fields=["status", "next_attempt_at"], name="idx_webhook_deliveries_due"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint} ({self.status})"
