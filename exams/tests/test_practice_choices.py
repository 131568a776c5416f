"""Practice choices: contradictions are refused with a message; "my mistakes" includes
items left blank in a finished exam."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from exams import services
from exams.drawing import PracticeChoice, draw_practice_questions
from exams.models import ExamSession
from exams.tests.factories import make_question


@pytest.mark.django_db
def test_an_objective_outside_the_chosen_block_is_a_form_error(client, user, syllabus, bank):
    client.force_login(user)
    objective = syllabus.modules.get(number=2).topics.first()
    block_one = syllabus.modules.get(number=1)

    response = client.post(
        reverse("exams:practice"), {"topic": objective.pk, "module": block_one.pk, "count": 5}
    )

    assert response.status_code == 400
    assert f"Objective {objective.code} is not in Block 1" in response.content.decode()
    assert not ExamSession.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_the_api_refuses_the_same_contradiction_naming_its_own_field(user, syllabus, bank):
    objective = syllabus.modules.get(number=2).topics.first()

    api = APIClient()
    api.force_authenticate(user)
    response = api.post(
        "/api/v1/attempts/practice/",
        {"objective": objective.code, "block": 1, "count": 5},
        format="json",
    )

    assert response.status_code == 400
    assert "is not in Block 1" in str(response.json())
    assert "objective" in str(response.json())
    assert not ExamSession.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_an_objective_of_the_chosen_block_is_fine(client, user, syllabus, bank):
    client.force_login(user)
    block = syllabus.modules.get(number=1)

    response = client.post(
        reverse("exams:practice"),
        {"topic": block.topics.first().pk, "module": block.pk, "count": 2},
    )

    assert response.status_code == 302
    assert ExamSession.objects.filter(user=user, mode=ExamSession.Mode.PRACTICE).exists()


@pytest.mark.django_db
def test_my_mistakes_include_items_left_blank_in_a_finished_exam_not_in_practice(user, mock_exam):
    exam = services.start_attempt(user=user, exam=mock_exam)
    items = list(exam.responses.select_related("question").order_by("position"))
    answered = next(item for item in items if item.question.kind == "single")
    right = answered.question.answers.get(is_correct=True)
    services.record_answer(attempt=exam, question_id=answered.question_id, choice_ids=[right.pk])
    services.finish_attempt(attempt=exam)
    practice = services.start_practice(user=user, choice=PracticeChoice(count=5))
    # Left blank in an unfinished practice: not a mistake.
    practice_only = {item.question_id for item in practice.responses.all()} - {
        item.question_id for item in items
    }

    mistakes = set(
        draw_practice_questions(user=user, choice=PracticeChoice(count=60, mistakes_only=True))
    )

    assert mistakes == {item.question_id for item in items if item != answered}
    assert practice_only and not (mistakes & practice_only)


@pytest.mark.django_db
def test_after_feedback_next_is_the_main_button(client, user, syllabus):
    topic = syllabus.modules.get(number=1).topics.first()
    for number in range(3):
        make_question(topic=topic, kind="single", text=f"Stem {number}")
    practice = services.start_practice(user=user, choice=PracticeChoice(count=3))
    client.force_login(user)
    page = reverse("exams:item", args=[practice.pk, 1])
    before = client.get(page).content.decode()
    assert 'class="button secondary" id="next-link"' in before
    item = practice.responses.select_related("question").get(position=1)
    option = item.question.answers.order_by("id").first()
    services.record_answer(attempt=practice, question_id=item.question_id, choice_ids=[option.pk])

    after = client.get(page).content.decode()

    assert 'class="button" id="next-link"' in after
    assert 'class="button secondary" id="finish-link"' in after


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "shown"), [("single", True), ("order", False), ("gap", False)])
def test_the_number_key_hint_shows_only_where_the_keys_choose(client, user, syllabus, kind, shown):
    topic = syllabus.modules.get(number=1).topics.first()
    make_question(topic=topic, kind=kind, text="Stem")
    practice = services.start_practice(user=user, choice=PracticeChoice(count=1))
    client.force_login(user)

    html = client.get(reverse("exams:item", args=[practice.pk, 1])).content.decode()

    assert ("<kbd>1</kbd>–<kbd>9</kbd> choose" in html) is shown
    assert "<kbd>N</kbd> next" in html
