"""Item statistics and the cohort view, checked against numbers worked out by hand."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from exams.models import ExamSession, Question, UserResponse
from exams.statistics import (
    annotate_item_statistics,
    cohort_by_objective,
    cohort_counts_by_question,
    flagged_question_ids,
    item_statistics,
)
from exams.tests.factories import (
    ExamFactory,
    ExamSessionFactory,
    ModuleFactory,
    TopicFactory,
    make_question,
)

EXAM = ExamSession.Mode.EXAM
PRACTICE = ExamSession.Mode.PRACTICE
ANSWERED_AT = timezone.make_aware(datetime(2024, 5, 10, 12, 0))


# --- helpers --------------------------------------------------------------------------------


def _respond(
    question: Question,
    *,
    points: float = 0,
    choices: list[int] | None = None,
    attempt_points: float | None = None,
    finished: bool = True,
    mode: str = EXAM,
    answered_at: datetime | None = ANSWERED_AT,
    time_taken: float = 0.0,
    user=None,
) -> UserResponse:
    """One item of a new attempt; `points` = question.points means fully correct.

    `attempt_points` is the attempt's total (this item included); it defaults to the item's.
    """
    attempt = ExamSessionFactory(
        exam=question.exam,
        mode=mode,
        is_completed=finished,
        points_earned=points if attempt_points is None else attempt_points,
        **({"user": user} if user else {}),
    )
    chosen = choices or []
    return UserResponse.objects.create(
        session=attempt,
        question=question,
        answer_id=chosen[0] if question.kind == Question.Kind.SINGLE and chosen else None,
        response_data={"choices": chosen},
        is_correct=points == question.points,
        is_skipped=answered_at is None,
        points_earned=points,
        answered_at=answered_at,
        time_taken=time_taken,
    )


def _bulk_responses(question: Question, *, count: int, correct: int = 0) -> None:
    """`count` answered responses in finished exam attempts, the first `correct` correct.

    Correct answers come from attempts whose rest scores are high, so discrimination is high.
    """
    user = UserFactory()
    attempts = ExamSession.objects.bulk_create(
        ExamSession(
            user=user,
            exam=question.exam,
            mode=EXAM,
            is_completed=True,
            points_earned=(question.points + 100) if index < correct else 0,
        )
        for index in range(count)
    )
    UserResponse.objects.bulk_create(
        UserResponse(
            session=attempt,
            question=question,
            response_data={"choices": []},
            is_correct=index < correct,
            points_earned=question.points if index < correct else 0,
            answered_at=ANSWERED_AT,
            time_taken=10.0,
        )
        for index, attempt in enumerate(attempts)
    )


@pytest.fixture
def question(db) -> Question:
    """A 20-point single-choice question answered in six attempts (numbers in the test)."""
    question = make_question(kind="single", points=20)
    # Finished exam attempts: (item score x, rest-of-attempt score y)
    _respond(question, points=20, attempt_points=80, time_taken=30)  # x=1, y=60
    _respond(question, points=20, attempt_points=40, time_taken=50)  # x=1, y=20
    _respond(question, points=0, attempt_points=40, time_taken=70)  # x=0, y=40
    _respond(question, points=0, attempt_points=0, time_taken=10)  # x=0, y=0
    # A practice session in progress: counts as answered (wrong), not for discrimination.
    _respond(question, points=0, finished=False, mode=PRACTICE, time_taken=40)
    # An exam in progress where the item is still unanswered: counts nowhere.
    _respond(question, finished=False, answered_at=None, time_taken=5)
    return question


# --- item_statistics ------------------------------------------------------------------------


def test_item_statistics_match_hand_computed_values(question):
    stats = item_statistics(question=question)

    # Answered: 4 finished exam attempts + 1 practice answer; the unanswered item is left out.
    assert stats.times_answered == 5
    # 2 correct of 5 answered.
    assert stats.facility == pytest.approx(0.4)
    # (30 + 50 + 70 + 10 + 40) / 5 = 200 / 5
    assert stats.average_time == pytest.approx(40.0)
    # Over the 4 finished exam attempts, x = (1, 1, 0, 0), y = (60, 20, 40, 0):
    #   n = 4, Σx = 2, Σy = 120, Σxy = 60 + 20 = 80, Σx² = 2, Σy² = 3600 + 400 + 1600 = 5600
    #   n·Σxy − Σx·Σy = 320 − 240 = 80
    #   n·Σx² − (Σx)² = 8 − 4 = 4;  n·Σy² − (Σy)² = 22400 − 14400 = 8000
    #   r = 80 / √(4 · 8000) = 80 / √32000 = 1 / √5 ≈ 0.447214
    assert stats.discrimination == pytest.approx(0.447214, abs=1e-6)
    assert stats.flags == []


def test_discrimination_counts_an_unanswered_item_of_a_finished_exam_as_zero(db):
    question = make_question(kind="single", points=20)
    _respond(question, points=20, attempt_points=30)  # x=1, y=10
    _respond(question, attempt_points=10, answered_at=None)  # skipped: x=0, y=10
    _respond(question, points=0, attempt_points=40)  # x=0, y=40
    # n = 3, Σx = 1, Σy = 60, Σxy = 10, Σx² = 1, Σy² = 100 + 100 + 1600 = 1800
    #   n·Σxy − Σx·Σy = 30 − 60 = −30
    #   n·Σx² − (Σx)² = 3 − 1 = 2;  n·Σy² − (Σy)² = 5400 − 3600 = 1800
    #   r = −30 / √(2 · 1800) = −30 / 60 = −0.5   (leaving the skip out would give −1)
    stats = item_statistics(question=question)

    assert stats.discrimination == pytest.approx(-0.5)
    assert stats.times_answered == 2


def test_discrimination_uses_partial_item_scores(db):
    question = make_question(kind="multiple", correct=2, points=40)
    _respond(question, points=40, attempt_points=40)  # x=1,   y=0
    _respond(question, points=20, attempt_points=40)  # x=0.5, y=20
    _respond(question, points=0, attempt_points=40)  # x=0,   y=40
    # x falls by 0.5 exactly as y rises by 20: a perfect negative line, r = −1.
    assert item_statistics(question=question).discrimination == pytest.approx(-1.0)


@pytest.mark.parametrize(
    "item_points, attempt_points",
    [
        pytest.param([20], [50], id="one attempt"),
        pytest.param([20, 20, 20], [20, 40, 60], id="everyone got the item right"),
        pytest.param([20, 0, 0], [50, 30, 30], id="the same rest score for everyone"),
    ],
)
def test_discrimination_is_none_when_undefined(db, item_points, attempt_points):
    question = make_question(kind="single", points=20)
    for points, total in zip(item_points, attempt_points, strict=True):
        _respond(question, points=points, attempt_points=total)

    assert item_statistics(question=question).discrimination is None


def test_discrimination_ignores_practice_and_unfinished_attempts(db):
    question = make_question(kind="single", points=20)
    _respond(question, points=20, attempt_points=100, mode=PRACTICE)
    _respond(question, points=0, attempt_points=0, mode=PRACTICE)
    _respond(question, points=20, attempt_points=100, finished=False)
    _respond(question, points=0, attempt_points=0, finished=False)

    stats = item_statistics(question=question)

    assert stats.times_answered == 4
    assert stats.discrimination is None


def test_statistics_of_an_unanswered_question_are_empty(db):
    question = make_question(kind="single")

    stats = item_statistics(question=question)

    assert stats.times_answered == 0
    assert stats.facility is None
    assert stats.discrimination is None
    assert stats.average_time is None
    assert stats.option_counts == dict.fromkeys(question.answers.values_list("pk", flat=True), 0)
    assert stats.flags == []


def test_option_counts_of_a_single_choice_question(db):
    question = make_question(kind="single", options=4)
    a, b, c, d = question.answers.values_list("pk", flat=True)
    _respond(question, points=20, choices=[a])
    _respond(question, points=20, choices=[a], mode=PRACTICE, finished=False)
    _respond(question, choices=[b])
    _respond(question, answered_at=None)

    assert item_statistics(question=question).option_counts == {a: 2, b: 1, c: 0, d: 0}


def test_option_counts_of_a_multiple_choice_question_count_every_chosen_option(db):
    question = make_question(kind="multiple", correct=2, options=5)
    a, b, c, d, e = question.answers.values_list("pk", flat=True)
    _respond(question, choices=[a, b])
    _respond(question, choices=[b, a])
    _respond(question, choices=[c, b])
    _respond(question, choices=[e])
    # Not answered any more: a stale choice left in the data must not count.
    _respond(question, choices=[d], answered_at=None)

    assert item_statistics(question=question).option_counts == {a: 2, b: 3, c: 1, d: 0, e: 1}


def test_option_counts_are_empty_for_order_and_gap_questions(db):
    for kind in ("order", "gap"):
        question = make_question(kind=kind)
        _respond(question, points=question.points)

        assert item_statistics(question=question).option_counts == {}


@pytest.mark.parametrize("responses", [10, 100])
def test_item_statistics_takes_two_queries_however_many_responses(
    db, django_assert_max_num_queries, responses
):
    question = make_question(kind="multiple", correct=2, options=5)
    _bulk_responses(question, count=responses, correct=responses // 2)
    question = Question.objects.get(pk=question.pk)

    with django_assert_max_num_queries(2):
        stats = item_statistics(question=question)

    assert stats.times_answered == responses


# --- flags ----------------------------------------------------------------------------------


def test_no_flags_below_thirty_responses(db):
    question = make_question(kind="single")
    _bulk_responses(question, count=29, correct=29)

    stats = item_statistics(question=question)

    assert stats.facility == 1.0
    assert stats.flags == []
    assert flagged_question_ids(questions=Question.objects.all()) == set()


def test_too_easy_question_is_flagged_at_thirty_responses(db):
    question = make_question(kind="single")
    _bulk_responses(question, count=30, correct=30)

    stats = item_statistics(question=question)

    # Everyone right: facility 30/30 = 1.00; no variance in x, so no discrimination to flag.
    assert stats.discrimination is None
    assert stats.flags == ["facility 1.00 > 0.95"]


def test_hard_question_that_favours_weak_attempts_gets_both_flags(db):
    question = make_question(kind="single", points=20)
    # 3 correct answers in attempts whose rest score is 0, 27 wrong in attempts with 100.
    for _ in range(3):
        _respond(question, points=20, attempt_points=20)
    _bulk_responses(question, count=27)
    ExamSession.objects.filter(responses__question=question, points_earned=0).update(
        points_earned=100
    )

    stats = item_statistics(question=question)

    # Facility 3/30 = 0.10. x and y take two values each and move opposite ways: r = −1.
    assert stats.facility == pytest.approx(0.1)
    assert stats.discrimination == pytest.approx(-1.0)
    assert stats.flags == ["facility 0.10 < 0.2", "discrimination -1.00 < 0.1"]


def test_flagged_question_ids_lists_only_flagged_questions_in_one_query(
    db, django_assert_max_num_queries
):
    too_easy = make_question(kind="single")
    _bulk_responses(too_easy, count=30, correct=30)
    too_hard = make_question(kind="single")
    _bulk_responses(too_hard, count=30, correct=3)
    good = make_question(kind="single")
    _bulk_responses(good, count=30, correct=15)
    few_answers = make_question(kind="single")
    _bulk_responses(few_answers, count=5, correct=5)
    make_question(kind="single")

    with django_assert_max_num_queries(1):
        flagged = flagged_question_ids(questions=Question.objects.all())

    assert item_statistics(question=good).flags == []
    assert flagged == {too_easy.pk, too_hard.pk}
    assert flagged_question_ids(questions=Question.objects.filter(pk=good.pk)) == set()


# --- annotate_item_statistics ---------------------------------------------------------------


def test_annotate_adds_sortable_columns(question):
    unanswered = make_question(kind="single")
    # Another join-based annotation must not multiply the counts (the admin may add one).
    questions = annotate_item_statistics(Question.objects.annotate(options=Count("answers")))

    rows = {row.pk: row for row in questions}

    assert rows[question.pk].times_answered == 5
    assert rows[question.pk].facility == pytest.approx(0.4)
    assert rows[question.pk].average_time == pytest.approx(40.0)
    assert rows[question.pk].options == 4
    assert rows[unanswered.pk].times_answered == 0
    assert rows[unanswered.pk].facility is None
    assert rows[unanswered.pk].average_time is None
    by_times = annotate_item_statistics(Question.objects.all()).order_by("-times_answered")
    assert [row.pk for row in by_times] == [question.pk, unanswered.pk]


def test_annotate_takes_one_query(question, django_assert_num_queries):
    with django_assert_num_queries(1):
        list(annotate_item_statistics(Question.objects.all()).order_by("facility"))


# --- cohort_by_objective --------------------------------------------------------------------


def _at(day: date, clock: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, clock))


@pytest.fixture
def objectives(db) -> dict:
    """Three objectives: 1.1 and 2.1 answered in May 2024, 1.2 never answered."""
    block_one, block_two = ModuleFactory(number=1), ModuleFactory(number=2)
    strong = TopicFactory(module=block_one, code="1.1", name="Literals", display_order=1)
    unanswered = TopicFactory(module=block_one, code="1.2", name="Operators", display_order=2)
    weak = TopicFactory(module=block_two, code="2.1", name="Loops", display_order=1)
    exam = ExamFactory()
    strong_question = make_question(kind="single", topic=strong, exam=exam, points=20)
    weak_question = make_question(kind="single", topic=weak, exam=exam, points=20)
    make_question(kind="single", topic=unanswered, exam=exam)
    may_10 = date(2024, 5, 10)
    # 1.1: 3 of 4 correct inside the range.
    for points in (20, 20, 20, 0):
        _respond(strong_question, points=points, answered_at=_at(may_10, time(9)))
    # 2.1: 1 of 4 correct, the last one at the very end of the last day.
    for points in (20, 0, 0):
        _respond(weak_question, points=points, answered_at=_at(may_10, time(9)))
    _respond(weak_question, points=0, answered_at=_at(date(2024, 5, 31), time(23, 59)))
    # Outside the range or not answered: never counted.
    _respond(weak_question, points=20, answered_at=_at(date(2024, 4, 30), time(23, 59)))
    _respond(weak_question, points=20, answered_at=_at(date(2024, 6, 1), time(0, 0)))
    _respond(weak_question, answered_at=None)
    return {"strong": strong, "weak": weak, "unanswered": unanswered}


def test_cohort_lists_weakest_objectives_first_and_unanswered_last(objectives):
    rows = cohort_by_objective(start=date(2024, 5, 1), end=date(2024, 5, 31))

    assert [(row.objective_code, row.responses, row.correct) for row in rows] == [
        ("2.1", 4, 1),
        ("1.1", 4, 3),
        ("1.2", 0, 0),
    ]
    assert [row.share_correct for row in rows] == [pytest.approx(0.25), pytest.approx(0.75), None]
    assert (rows[0].objective_name, rows[0].block_number) == ("Loops", 2)


def test_cohort_counts_only_answers_within_the_dates(objectives):
    rows = cohort_by_objective(start=date(2024, 5, 31), end=date(2024, 6, 1))

    by_code = {row.objective_code: row for row in rows}
    # 2.1: the wrong answer at 23:59 on 31 May and the right one at 00:00 on 1 June.
    assert (by_code["2.1"].responses, by_code["2.1"].correct) == (2, 1)
    assert by_code["1.1"].share_correct is None
    assert [row.objective_code for row in rows] == ["2.1", "1.1", "1.2"]


def test_cohort_takes_four_queries_however_many_responses(objectives, django_assert_num_queries):
    question = Question.objects.filter(topic=objectives["strong"]).first()
    for _ in range(5):
        _respond(question, points=20, answered_at=_at(date(2024, 5, 11), time(10)))

    with django_assert_num_queries(4):
        rows = cohort_by_objective(start=date(2024, 5, 1), end=date(2024, 5, 31))

    assert {row.objective_code: row.responses for row in rows} == {"2.1": 4, "1.1": 9, "1.2": 0}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plan wording")
def test_cohort_counts_read_one_index_range_per_question_and_verdict(objectives):
    # Without the index every response in the database is scanned whatever the dates
    # (1.8 s at 509,000 responses before; bench/cohort_bench.py, docs/capacity.md).
    plan = cohort_counts_by_question(start=date(2024, 5, 1), end=date(2024, 5, 31)).explain()

    tight_range = (
        "SEARCH U0 USING COVERING INDEX idx_user_responses_question_correct_answered "
        "(question_id=? AND is_correct=? AND answered_at>? AND answered_at<?)"
    )
    assert plan.count(tight_range) == 2  # the wrong answers, then the right ones
    assert "SCAN user_responses" not in plan and "SCAN U0" not in plan


def test_cohort_counts_split_each_question_into_wrong_and_correct(objectives):
    rows = cohort_counts_by_question(start=date(2024, 5, 1), end=date(2024, 5, 31))

    by_topic = {
        Question.objects.get(pk=row["question_id"]).topic.code: (row["wrong"], row["correct"])
        for row in rows
    }
    assert by_topic == {"1.1": (1, 3), "2.1": (3, 1), "1.2": (0, 0)}


# --- cohort view ----------------------------------------------------------------------------


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True)


def test_cohort_view_shows_the_table_to_staff(client, staff, objectives):
    client.force_login(staff)

    response = client.get(reverse("exams:cohort"), {"start": "2024-05-01", "end": "2024-05-31"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "<caption>Share correct per objective, 1 May 2024 to 31 May 2024</caption>" in html
    assert html.index("2.1 Loops") < html.index("1.1 Literals") < html.index("1.2 Operators")
    assert "25%" in html and "75%" in html
    assert [row.objective_code for row in response.context["rows"]] == ["2.1", "1.1", "1.2"]


def test_cohort_view_defaults_to_the_last_thirty_days(client, staff, objectives):
    client.force_login(staff)
    today = timezone.localdate()

    response = client.get(reverse("exams:cohort"))

    assert response.status_code == 200
    assert response.context["start"] == today - timedelta(days=29)
    assert response.context["end"] == today
    # The fixture's answers are from 2024, outside the default range.
    assert all(row.share_correct is None for row in response.context["rows"])
    assert f'value="{today:%Y-%m-%d}"' in response.content.decode()


@pytest.mark.parametrize(
    "query, error",
    [
        pytest.param({"start": "2024-13-45", "end": "2024-05-31"}, "Enter a valid date.", id="bad"),
        pytest.param({"start": "2024-05-31"}, "This field is required.", id="missing"),
        pytest.param(
            {"start": "2024-06-01", "end": "2024-05-01"},
            "The start date must be on or before the end date.",
            id="reversed",
        ),
    ],
)
def test_cohort_view_shows_a_form_error_for_bad_dates(client, staff, objectives, query, error):
    client.force_login(staff)

    response = client.get(reverse("exams:cohort"), query)

    assert response.status_code == 200
    assert error in response.content.decode()
    assert response.context["rows"] is None
    assert "<table" not in response.content.decode()


def test_cohort_view_sends_a_learner_to_the_admin_login(client, user):
    client.force_login(user)

    response = client.get(reverse("exams:cohort"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_cohort_view_sends_an_anonymous_visitor_to_the_admin_login(client, db):
    url = reverse("exams:cohort")

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('admin:login')}?next={url}"
