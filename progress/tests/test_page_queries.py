"""The home and Progress pages run a fixed number of queries whatever the learner's history."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from exams import services
from progress.tests.test_readiness import mock_exam, take  # noqa: F401 (a fixture)


def queries_of(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


# The pages' queries with a prediction, a plan and due reviews (the session, the learner,
# the syllabus, the learner's evidence version, the evidence per objective and the rows of
# the objectives whose evidence changed, one read each of the objectives, the mock exam and
# its bank shared by mastery, readiness and the plan, then each page's own). Before the
# reads were shared: 18 each. A later view with the evidence unchanged reuses the estimates
# and skips the two evidence reads.
QUERY_BUDGET = {"home": 15, "progress:overview": 13}


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["home", "progress:overview"])
def test_page_queries_do_not_grow_with_attempts(user, mock_exam, client, page):  # noqa: F811
    client.force_login(user)
    for _ in range(2):  # enough answers for a prediction, a plan and due reviews
        take(mock_exam, user, right=False)
    short = queries_of(client, reverse(page))
    assert short <= QUERY_BUDGET[page]
    assert queries_of(client, reverse(page)) == short - 2  # the estimates reused
    html = client.get(reverse(page)).content.decode()
    assert "Chance of passing today" in html and "Practise next" in html

    for _ in range(6):
        take(mock_exam, user, right=False)

    assert queries_of(client, reverse(page)) == short


def _panel(client, start: str, end: str) -> str:
    """One part of the Progress page (the page around it holds a fresh CSRF token)."""
    html = client.get(reverse("progress:overview")).content.decode()
    return html.split(start)[1].split(end)[0]


def _answers_line(client) -> str:
    return _panel(client, '<p class="readiness-evidence">', "</p>")


def _mastery_table(client) -> str:
    return _panel(client, '<table id="progress-table">', "</table>")


@pytest.mark.django_db
def test_reused_estimates_never_hide_a_new_answer_a_finish_or_a_regrade(
    user,
    mock_exam,  # noqa: F811
    client,
):
    client.force_login(user)
    for _ in range(2):
        take(mock_exam, user, right=False)
    first = _answers_line(client)
    assert first == _answers_line(client)  # reused: the same figures

    # An exam answer saved (not finished yet) is evidence at once.
    attempt = services.start_attempt(user=user, exam=mock_exam)
    item = attempt.responses.select_related("question").first()
    right = item.question.answers.filter(is_correct=True)[: item.question.choose or 1]
    services.record_answer(
        attempt=attempt, question_id=item.question_id, choice_ids=[a.pk for a in right]
    )
    after_answer = _answers_line(client)
    assert after_answer != first

    # Finishing makes its blanks evidence.
    services.finish_attempt(attempt=attempt)
    after_finish = _answers_line(client)
    assert after_finish != after_answer

    # A regrade changes points without a new answer: the mastery table follows.
    table = _mastery_table(client)
    key = item.question.answers.get(is_correct=True)
    other = item.question.answers.filter(is_correct=False).first()
    key.is_correct, other.is_correct = False, True
    key.save()
    other.save()
    services.regrade_question(question=item.question)
    assert _mastery_table(client) != table
