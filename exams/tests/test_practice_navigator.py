"""The practice navigator says right / partly right / wrong per answered item; an exam's never."""

import re

import pytest
from django.urls import reverse

from exams import services
from exams.drawing import PracticeChoice
from exams.models import Exam
from exams.tests.factories import ExamFactory, make_question

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def learner_client(client, user):
    client.force_login(user)
    return client


def _nav_link(page: str, position: int) -> str:
    match = re.search(rf'<a href="[^"]+/items/{position}/" data-position="{position}"[^>]*>', page)
    assert match, f"no navigator link for item {position}"
    return match.group(0)


def _answer(client, attempt, position: int, *, right: bool):
    item = attempt.responses.select_related("question").get(position=position)
    option = item.question.answers.filter(is_correct=right).first()
    url = reverse("exams:answer", args=[attempt.pk, position])
    return client.post(url, {"question": item.question_id, "choice": option.pk}, **JSON)


def test_practice_items_are_marked_right_or_wrong_once_answered(learner_client, user, syllabus):
    topic = syllabus.modules.get(number=1).topics.first()
    bank = ExamFactory(kind=Exam.Kind.BANK)
    for order in range(3):
        make_question(kind="single", topic=topic, exam=bank, question_order=order)
    attempt = services.start_practice(user=user, choice=PracticeChoice(topic=topic, count=3))

    right = _answer(learner_client, attempt, 1, right=True).json()
    wrong = _answer(learner_client, attempt, 2, right=False).json()
    page = learner_client.get(reverse("exams:item", args=[attempt.pk, 3])).content.decode()

    assert (right["verdict"], wrong["verdict"]) == ("right", "wrong")
    assert "verdict-right" in _nav_link(page, 1)
    assert 'aria-label="Item 1, answered, right"' in _nav_link(page, 1)
    assert "verdict-wrong" in _nav_link(page, 2)
    assert 'aria-label="Item 2, answered, wrong"' in _nav_link(page, 2)
    assert "verdict" not in _nav_link(page, 3)


def test_an_exams_navigator_never_tells_right_from_wrong(learner_client, user, syllabus):
    exam = ExamFactory(kind=Exam.Kind.FIXED, title="Two items", time_limit=600)
    for order in range(2):
        make_question(kind="single", exam=exam, question_order=order)
    attempt = services.start_attempt(user=user, exam=exam)

    payloads = [
        _answer(learner_client, attempt, 1, right=True).json(),
        _answer(learner_client, attempt, 2, right=False).json(),
    ]
    page = learner_client.get(reverse("exams:item", args=[attempt.pk, 1])).content.decode()

    assert all("verdict" not in payload for payload in payloads)
    for position in (1, 2):
        link = _nav_link(page, position)
        assert "verdict" not in link
        assert f'aria-label="Item {position}, answered"' in link
