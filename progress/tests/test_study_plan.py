"""The study plan: ranking by expected exam points, unpractised objectives, the exam-date pace,
and its one-click drills through the practice start."""

import math
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from exams import drawing, services
from exams.models import Exam, ExamSession, Topic
from exams.tests.factories import make_question
from progress.miss_credit import MissCredit
from progress.selectors import LearnerSnapshot
from progress.study_plan import DRILL_ITEMS, study_plan

# Block 3 (4 objectives) draws 8 items, block 1 (5 objectives) only 2.
BLUEPRINT = {"1": 2, "2": 4, "3": 8, "4": 4}


@pytest.fixture
def mock_exam(syllabus) -> Exam:
    """The syllabus' mock exam over a bank of 3 medium items per objective, its blocks weighed
    by the blueprint alone (no fixed block points)."""
    for topic in Topic.objects.filter(module__syllabus=syllabus):
        for order in range(3):
            make_question(topic=topic, question_order=order, difficulty=3)
    exam = Exam.objects.get(kind=Exam.Kind.MOCK, syllabus=syllabus)
    exam.blueprint = BLUEPRINT
    exam.block_points = {}
    exam.save()
    return exam


def objectives_of_block(syllabus, number: int) -> list[Topic]:
    return list(
        Topic.objects.filter(module__syllabus=syllabus, module__number=number).order_by(
            "display_order", "id"
        )
    )


def practise(user, topic: Topic, *, right: bool, sessions: int = 2) -> None:
    """Answer every item of the objective, `sessions` times over, all right or all wrong."""
    for _ in range(sessions):
        attempt = services.start_practice(
            user=user, choice=drawing.PracticeChoice(topic=topic, count=DRILL_ITEMS)
        )
        for item in attempt.responses.select_related("question"):
            answers = item.question.answers.filter(is_correct=right)[:1]
            services.record_answer(
                attempt=attempt, question_id=item.question_id, choice_ids=[a.pk for a in answers]
            )


def set_exam_date(user, day) -> None:
    user.profile_data = {**(user.profile_data or {}), "exam_date": day.isoformat()}
    user.save(update_fields=["profile_data"])


@pytest.mark.django_db
def test_a_weak_objective_of_a_heavy_block_outranks_a_strong_one(user, syllabus, mock_exam):
    light_block, heavy_block = objectives_of_block(syllabus, 1), objectives_of_block(syllabus, 3)
    weak_heavy, strong_heavy = heavy_block[0], heavy_block[1]
    weak_light = light_block[0]
    practise(user, weak_heavy, right=False)
    practise(user, strong_heavy, right=True)
    practise(user, weak_light, right=False)

    plan = study_plan(user=user, syllabus=syllabus, limit=15)
    rank = {entry.code: position for position, entry in enumerate(plan.entries)}
    gain = {entry.code: entry.expected_gain for entry in plan.entries}

    assert plan.entries[0].code == weak_heavy.code
    # Equally weak, but an objective of block 3 is worth five times one of block 1.
    assert gain[weak_heavy.code] > gain[weak_light.code]
    # Same block: the untouched objective has more room to improve than the mastered one.
    assert rank[heavy_block[2].code] < rank[strong_heavy.code]
    assert gain[strong_heavy.code] < gain[heavy_block[2].code]
    weak_entry = plan.entries[0]
    assert weak_entry.practised and weak_entry.answered == 6
    assert "after 6 answers" in weak_entry.reason


@pytest.mark.django_db
def test_the_gains_are_exam_points_of_the_mock_exams_scale(user, syllabus, mock_exam):
    plan = study_plan(user=user, syllabus=syllabus, limit=15)
    assert plan.max_score == mock_exam.max_score
    # Without answers a medium item is a coin flip: every objective has half of its points
    # to gain, and all of them together half of the exam (give or take rounding).
    assert abs(sum(entry.expected_gain for entry in plan.entries) - mock_exam.max_score / 2) <= 8


@pytest.mark.django_db
def test_fixed_block_points_weigh_the_blocks(user, syllabus, mock_exam):
    mock_exam.block_points = {"1": 700, "2": 100, "3": 100, "4": 100}
    mock_exam.save()
    light_block = objectives_of_block(syllabus, 1)
    plan = study_plan(user=user, syllabus=syllabus, limit=len(light_block))
    assert [entry.code for entry in plan.entries] == [topic.code for topic in light_block]
    # 700 of 1000 points over five objectives, half of them still to gain.
    assert {entry.expected_gain for entry in plan.entries} == {70}


@pytest.mark.django_db
def test_unpractised_objectives_are_in_the_plan_and_say_so(user, syllabus, mock_exam):
    practise(user, objectives_of_block(syllabus, 2)[0], right=True)
    plan = study_plan(user=user, syllabus=syllabus, limit=3)

    assert len(plan.entries) == 3
    assert all(not entry.practised for entry in plan.entries)
    assert all(entry.expected_gain > 0 for entry in plan.entries)
    assert all(entry.reason.startswith("Not practised yet") for entry in plan.entries)


@pytest.mark.django_db
def test_an_objective_without_questions_to_draw_is_left_out(user, syllabus, mock_exam):
    empty = objectives_of_block(syllabus, 2)[0]
    empty.questions.update(is_active=False)
    codes = {entry.code for entry in study_plan(user=user, syllabus=syllabus, limit=15).entries}
    assert empty.code not in codes
    assert len(codes) == Topic.objects.filter(module__syllabus=syllabus).count() - 1


@pytest.mark.django_db
def test_an_exam_date_ahead_gives_the_days_left_and_a_daily_pace(user, syllabus, mock_exam):
    now = timezone.now()
    set_exam_date(user, timezone.localdate(now) + timedelta(days=20))
    plan = study_plan(user=user, syllabus=syllabus, now=now, limit=3)

    assert plan.days_left == 20
    # Three 10-item drills over 20 days (no review is due: progress/tests/test_review.py
    # checks that due cards are added).
    assert plan.due_reviews == 0
    assert plan.items_per_day == math.ceil(3 * DRILL_ITEMS / 20) == 2
    assert plan.note == ""


@pytest.mark.django_db
def test_a_past_exam_date_is_ignored_with_a_note(user, syllabus, mock_exam, client):
    set_exam_date(user, timezone.localdate() - timedelta(days=1))
    plan = study_plan(user=user, syllabus=syllabus)
    assert plan.days_left is None and plan.items_per_day is None and plan.exam_date is None
    assert "has passed" in plan.note
    assert len(plan.entries) == 3  # the ranking itself does not need the date

    client.force_login(user)
    html = client.get(reverse("syllabus")).content.decode()
    assert "has passed, so the plan ignores it" in html
    assert "days left" not in html


@pytest.mark.django_db
def test_the_panel_shows_the_pace_and_the_plan(user, syllabus, mock_exam, client):
    set_exam_date(user, timezone.localdate() + timedelta(days=10))
    client.force_login(user)
    html = client.get(reverse("syllabus")).content.decode()
    panel = html[html.index('id="study-plan"') : html.index("</section>")]
    assert "10 days left" in panel
    assert "items a day" in panel
    for entry in study_plan(user=user, syllabus=syllabus).entries:
        assert entry.name in panel
        assert f'name="topic" value="{entry.topic_id}"' in panel


def drill_forms(html: str) -> list[tuple[str, dict[str, str]]]:
    """Each drill form of the page: its action and hidden fields."""
    forms = []
    for action, body in re.findall(
        r'<form method="post" action="([^"]+)" class="drill-form">(.*?)</form>', html
    ):
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', body))
        forms.append((action, fields))
    return forms


@pytest.mark.django_db
def test_the_drill_button_starts_ten_items_of_that_objective(user, syllabus, mock_exam, client):
    target = objectives_of_block(syllabus, 2)[0]
    for order in range(12):
        make_question(topic=target, question_order=10 + order, difficulty=3)
    practise(user, target, right=False, sessions=1)
    assert study_plan(user=user, syllabus=syllabus).entries[0].code == target.code
    client.force_login(user)
    html = client.get(reverse("syllabus")).content.decode()
    panel = html[html.index('id="study-plan"') : html.index("</section>")]
    action, fields = drill_forms(panel)[0]
    assert fields["topic"] == str(target.pk)

    response = client.post(action, fields)

    attempt = ExamSession.objects.for_user(user).order_by("-id").first()
    assert response.status_code == 302
    assert response.url == reverse("exams:attempt", args=[attempt.pk])
    assert attempt.mode == ExamSession.Mode.PRACTICE
    items = list(attempt.responses.select_related("question"))
    assert len(items) == attempt.total_questions == 10
    assert {item.question.topic_id for item in items} == {target.pk}


@pytest.mark.django_db
def test_every_syllabus_row_with_questions_has_a_drill(user, syllabus, mock_exam, client):
    without_questions = objectives_of_block(syllabus, 4)[0]
    without_questions.questions.update(is_active=False)
    client.force_login(user)
    html = client.get(reverse("syllabus")).content.decode()
    rows = html[html.index('<ol class="blocks">') :]
    drilled = {fields["topic"] for _action, fields in drill_forms(rows)}
    expected = set(
        Topic.objects.filter(module__syllabus=syllabus)
        .exclude(pk=without_questions.pk)
        .values_list("pk", flat=True)
    )
    assert drilled == {str(pk) for pk in expected}


@pytest.mark.django_db
def test_the_panel_is_empty_for_an_anonymous_visitor(syllabus, mock_exam):
    html = Template("{% load progress_panels %}{% study_plan_panel user %}").render(
        Context({"user": AnonymousUser()})
    )
    assert "Practise next" not in html


@pytest.mark.django_db
def test_partial_credit_a_miss_earns_anyway_is_not_room_to_improve(user, syllabus, mock_exam):
    # Two objectives of one block, both unpractised (a coin flip per item): misses of the
    # first one's items usually earn half their points, so only a quarter of its points is
    # still to gain, against half of the second one's.
    partial, plain = objectives_of_block(syllabus, 3)[:2]
    misses = MissCredit(
        by_question={pk: 0.5 for pk in partial.questions.values_list("pk", flat=True)}
    )
    snapshot = LearnerSnapshot(user=user, syllabus=syllabus, misses=misses)

    plan = study_plan(user=user, snapshot=snapshot, limit=15)

    gain = {entry.code: entry.expected_gain for entry in plan.entries}
    assert gain[plain.code] > 0
    assert abs(gain[partial.code] - gain[plain.code] / 2) <= 1
