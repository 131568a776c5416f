"""Learner template views: access, starting, answering, flagging, finishing and reports."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from exams.models import Answer, Exam, ExamSession, Question, Topic, UserResponse
from exams.tests.conftest import SECRET, mark_secrets
from exams.tests.factories import ExamFactory, ExamSessionFactory, make_question, quota_points

JSON = {"HTTP_ACCEPT": "application/json"}


# --- fixtures and helpers -------------------------------------------------------------------


@pytest.fixture
def fixed_exam(db) -> Exam:
    """A fixed set whose items are, in order: single, multiple (choose 2), order, gap."""
    exam = ExamFactory(title="Fixed set")
    for order, (kind, extra) in enumerate(
        [("single", {}), ("multiple", {"correct": 2, "options": 5}), ("order", {}), ("gap", {})],
        start=1,
    ):
        question = make_question(kind=kind, exam=exam, question_order=order, **extra)
        mark_secrets(question, f"fixed-{order}")
    return exam


@pytest.fixture
def learner_client(client, user):
    client.force_login(user)
    return client


def _start(client, exam: Exam) -> ExamSession:
    response = client.post(reverse("exams:start", args=[exam.pk]))
    assert response.status_code == 302
    return ExamSession.objects.order_by("-pk").first()


@pytest.fixture
def fixed_attempt(learner_client, fixed_exam) -> ExamSession:
    return _start(learner_client, fixed_exam)


def _item(attempt: ExamSession, position: int) -> UserResponse:
    return attempt.responses.select_related("question").get(position=position)


def _correct_payload(item: UserResponse) -> dict:
    question = item.question
    answers = sorted(question.answers.all(), key=lambda answer: (answer.answer_order, answer.pk))
    if question.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
        return {"question": question.pk, "choice": [a.pk for a in answers if a.is_correct]}
    if question.kind == Question.Kind.ORDER:
        return {"question": question.pk, "order": [a.pk for a in answers]}
    by_gap = sorted(answers, key=lambda answer: answer.gap_number)
    return {"question": question.pk, "gap": [answer.text for answer in by_gap]}


def _url(name: str, attempt: ExamSession, position: int | None = None) -> str:
    args = [attempt.pk] if position is None else [attempt.pk, position]
    return reverse(f"exams:{name}", args=args)


def _all_secrets() -> list[str]:
    texts = list(Question.objects.values_list("explanation", flat=True))
    texts += list(Question.objects.values_list("explanation_html", flat=True))
    texts += list(Answer.objects.values_list("explanation", flat=True))
    return [text for text in texts if text]


def _assert_no_keys(content: str) -> None:
    assert SECRET not in content
    assert "is_correct" not in content
    assert "correct answer" not in content.lower()
    assert not re.search(r'class="key[" ]', content)


def _snapshot(attempt: ExamSession) -> list[tuple]:
    return list(
        attempt.responses.order_by("position").values_list(
            "response_data", "answer_id", "is_skipped", "is_correct", "is_bookmarked", "answered_at"
        )
    )


# --- login required ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_learner_pages_redirect_anonymous_visitors_to_login(client):
    attempt = ExamSessionFactory()
    UserResponse.objects.create(
        session=attempt, question=make_question(), position=1, is_correct=False
    )
    login_url = reverse("accounts:login")
    for url in (
        reverse("exams:list"),
        _url("attempt", attempt),
        _url("item", attempt, 1),
        _url("review", attempt),
        _url("report", attempt),
        reverse("exams:history"),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(f"{login_url}?next="), url


@pytest.mark.django_db
def test_anonymous_posts_are_redirected_to_login_and_change_nothing(client, fixed_exam):
    response = client.post(reverse("exams:start", args=[fixed_exam.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert not ExamSession.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url_name", ["home", "accounts:login", "accounts:signup", "accounts:password_reset"]
)
def test_home_and_auth_pages_are_open_to_anonymous_visitors(client, url_name):
    assert client.get(reverse(url_name)).status_code == 200


# --- starting an exam ---------------------------------------------------------------------------


def test_start_mock_exam_redirects_to_attempt_and_first_item(learner_client, user, mock_exam):
    response = learner_client.post(reverse("exams:start", args=[mock_exam.pk]))

    attempt = ExamSession.objects.get(user=user)
    assert response.status_code == 302
    assert response.url == _url("attempt", attempt)
    assert attempt.responses.count() == 30
    assert attempt.deadline is not None
    response = learner_client.get(response.url)
    assert response.url == _url("item", attempt, 1)
    response = learner_client.get(response.url)
    assert response.status_code == 200
    assert response.context["item"].position == 1
    assert "Item 1 of 30" in response.content.decode()


def test_start_unknown_or_bank_exam_is_404(learner_client, bank):
    assert learner_client.post(reverse("exams:start", args=[bank.pk])).status_code == 404
    assert learner_client.post(reverse("exams:start", args=[999999])).status_code == 404
    assert not ExamSession.objects.exists()


def test_starting_again_resumes_the_unfinished_attempt(learner_client, fixed_exam):
    first = _start(learner_client, fixed_exam)
    second = _start(learner_client, fixed_exam)
    assert first.pk == second.pk
    assert ExamSession.objects.count() == 1


# --- keys never leak ------------------------------------------------------------------------


def test_exam_item_pages_review_and_answer_json_never_show_keys(learner_client, mock_exam):
    attempt = _start(learner_client, mock_exam)
    secrets = _all_secrets()
    assert len(secrets) > 100  # the bank really carries explanations to leak

    for item in attempt.responses.select_related("question").order_by("position"):
        before = learner_client.get(_url("item", attempt, item.position))
        assert before.status_code == 200
        answered = learner_client.post(
            _url("answer", attempt, item.position), _correct_payload(item), **JSON
        )
        assert answered.status_code == 200
        assert answered.json() == {"saved": True, "answered": True, "incomplete": False}
        after = learner_client.get(_url("item", attempt, item.position))
        for page in (before.content.decode(), answered.content.decode(), after.content.decode()):
            _assert_no_keys(page)
            assert not any(secret in page for secret in secrets)

    review = learner_client.get(_url("review", attempt)).content.decode()
    _assert_no_keys(review)
    assert not any(secret in review for secret in secrets)


def test_practice_item_shows_explanation_only_after_answering(learner_client, user, bank):
    learner_client.post(reverse("exams:practice"), {"count": 1})
    attempt = ExamSession.objects.get(user=user, mode=ExamSession.Mode.PRACTICE)
    item = _item(attempt, 1)

    before = learner_client.get(_url("item", attempt, 1)).content.decode()
    _assert_no_keys(before)
    assert item.question.explanation not in before

    response = learner_client.post(_url("answer", attempt, 1), _correct_payload(item), **JSON)

    payload = response.json()
    assert payload["saved"] is True
    assert item.question.explanation_html in payload["feedback_html"]
    first_answer = item.question.answers.order_by("pk").first()
    assert first_answer.explanation in payload["feedback_html"]
    assert "correct answer" in payload["feedback_html"] or item.question.kind in ("order", "gap")
    after = learner_client.get(_url("item", attempt, 1)).content.decode()
    assert item.question.explanation_html in after


# --- another learner's attempt ----------------------------------------------------------------


def test_another_learners_attempt_is_404_everywhere_and_unchanged(client, fixed_attempt):
    before = _snapshot(fixed_attempt)
    item = _item(fixed_attempt, 1)
    intruder = UserFactory()
    client.force_login(intruder)

    for url in (
        _url("attempt", fixed_attempt),
        _url("item", fixed_attempt, 1),
        _url("review", fixed_attempt),
        _url("report", fixed_attempt),
    ):
        assert client.get(url).status_code == 404, url
    for url, data in (
        (_url("answer", fixed_attempt, 1), _correct_payload(item)),
        (_url("flag", fixed_attempt, 1), {"question": item.question_id, "flagged": "1"}),
        (_url("finish", fixed_attempt), {}),
    ):
        assert client.post(url, data).status_code == 404, url
        assert client.post(url, data, **JSON).status_code == 404, url

    fixed_attempt.refresh_from_db()
    assert fixed_attempt.is_completed is False
    assert _snapshot(fixed_attempt) == before


# --- forged answers ---------------------------------------------------------------------------


def _post_forged(client, attempt, position, data):
    before = _snapshot(attempt)
    response = client.post(_url("answer", attempt, position), data, **JSON)
    assert _snapshot(attempt) == before
    return response


def test_answer_with_option_of_another_question_is_rejected(learner_client, fixed_attempt):
    single, multiple = _item(fixed_attempt, 1), _item(fixed_attempt, 2)
    foreign = multiple.question.answers.first()
    response = _post_forged(
        learner_client, fixed_attempt, 1, {"question": single.question_id, "choice": [foreign.pk]}
    )
    assert response.status_code == 400
    assert response.json() == {
        "saved": False,
        "error": "That option does not belong to this question.",
    }


def test_two_choices_on_single_select_are_rejected(learner_client, fixed_attempt):
    single = _item(fixed_attempt, 1)
    two = list(single.question.answers.values_list("pk", flat=True)[:2])
    response = _post_forged(
        learner_client, fixed_attempt, 1, {"question": single.question_id, "choice": two}
    )
    assert response.status_code == 400
    assert response.json() == {"saved": False, "error": "Choose only one answer."}


def test_too_many_choices_on_multiple_select_are_rejected(learner_client, fixed_attempt):
    multiple = _item(fixed_attempt, 2)
    three = list(multiple.question.answers.values_list("pk", flat=True)[:3])
    response = _post_forged(
        learner_client, fixed_attempt, 2, {"question": multiple.question_id, "choice": three}
    )
    assert response.status_code == 400
    assert response.json() == {"saved": False, "error": "Choose at most 2 answers."}


def test_text_where_an_option_id_belongs_is_rejected(learner_client, fixed_attempt):
    single = _item(fixed_attempt, 1)
    response = _post_forged(
        learner_client, fixed_attempt, 1, {"question": single.question_id, "choice": "abc"}
    )
    assert response.status_code == 400
    assert response.json() == {"saved": False, "error": "An option must be given by its number."}


def test_text_where_the_question_id_belongs_is_rejected(learner_client, fixed_attempt):
    response = _post_forged(learner_client, fixed_attempt, 1, {"question": "abc"})
    assert response.status_code == 400
    assert response.json()["saved"] is False
    assert "number" in response.json()["error"]


def test_question_not_in_this_attempt_is_rejected(learner_client, fixed_attempt):
    outsider = make_question()
    response = _post_forged(
        learner_client,
        fixed_attempt,
        1,
        {"question": outsider.pk, "choice": [outsider.answers.first().pk]},
    )
    assert response.status_code == 400
    assert response.json() == {
        "saved": False,
        "error": "That question is not part of this attempt.",
    }


def test_missing_question_is_rejected(learner_client, fixed_attempt):
    choice = _item(fixed_attempt, 1).question.answers.first()
    response = _post_forged(learner_client, fixed_attempt, 1, {"choice": [choice.pk]})
    assert response.status_code == 400
    assert response.json() == {
        "saved": False,
        "error": "The question is missing from the request.",
    }


def test_answer_to_finished_attempt_is_409(learner_client, fixed_attempt):
    learner_client.post(_url("finish", fixed_attempt))
    single = _item(fixed_attempt, 1)
    response = _post_forged(learner_client, fixed_attempt, 1, _correct_payload(single))
    assert response.status_code == 409
    assert response.json()["saved"] is False
    assert "finished" in response.json()["error"]


def test_forged_answer_without_json_redirects_with_message(learner_client, fixed_attempt):
    single = _item(fixed_attempt, 1)
    two = list(single.question.answers.values_list("pk", flat=True)[:2])
    response = learner_client.post(
        _url("answer", fixed_attempt, 1), {"question": single.question_id, "choice": two}
    )
    assert response.status_code == 302
    assert response.url == _url("item", fixed_attempt, 1)
    page = learner_client.get(response.url).content.decode()
    assert "Choose only one answer." in page


def test_answer_by_get_is_not_allowed(learner_client, fixed_attempt):
    assert learner_client.get(_url("answer", fixed_attempt, 1)).status_code == 405
    assert learner_client.get(_url("flag", fixed_attempt, 1)).status_code == 405
    assert learner_client.get(_url("finish", fixed_attempt)).status_code == 405
    assert learner_client.post(_url("item", fixed_attempt, 1)).status_code == 405


def test_item_position_outside_the_attempt_is_404(learner_client, fixed_attempt):
    assert learner_client.get(_url("item", fixed_attempt, 5)).status_code == 404
    assert learner_client.get(_url("item", fixed_attempt, 0)).status_code == 404


# --- autosave and flags ------------------------------------------------------------------------


def test_saved_answer_is_checked_when_the_item_is_shown_again(learner_client, fixed_attempt):
    single = _item(fixed_attempt, 1)
    chosen = single.question.answers.order_by("-answer_order").first()  # a wrong option

    response = learner_client.post(
        _url("answer", fixed_attempt, 1),
        {"question": single.question_id, "choice": [chosen.pk]},
        **JSON,
    )

    assert response.json() == {"saved": True, "answered": True, "incomplete": False}
    single.refresh_from_db()
    assert single.answer_id == chosen.pk
    assert single.is_skipped is False
    assert single.is_correct is False
    page = learner_client.get(_url("item", fixed_attempt, 1)).content.decode()
    checked = re.findall(r'<input type="radio" name="choice" value="(\d+)"\s+checked', page)
    assert checked == [str(chosen.pk)]


def test_saved_gap_texts_are_filled_in_again(learner_client, fixed_attempt):
    gap = _item(fixed_attempt, 4)
    learner_client.post(
        _url("answer", fixed_attempt, 4), {"question": gap.question_id, "gap": ["7", "-"]}, **JSON
    )
    page = learner_client.get(_url("item", fixed_attempt, 4)).content.decode()
    assert 'id="gap-1" name="gap" value="7"' in page
    assert 'id="gap-2" name="gap" value="-"' in page


def test_flag_toggles_bookmark_and_navigator_shows_flagged(learner_client, fixed_attempt):
    item = _item(fixed_attempt, 2)
    flag_url = _url("flag", fixed_attempt, 2)

    response = learner_client.post(flag_url, {"question": item.question_id, "flagged": "1"})

    assert response.status_code == 302
    item.refresh_from_db()
    assert item.is_bookmarked is True
    page = learner_client.get(_url("item", fixed_attempt, 1)).content.decode()
    flagged = re.findall(r'data-position="(\d+)"\s+class="nav-item[^"]*\bflagged\b', page)
    assert flagged == ["2"]

    response = learner_client.post(flag_url, {"question": item.question_id, "flagged": "0"}, **JSON)

    assert response.json() == {"saved": True, "flagged": False}
    item.refresh_from_db()
    assert item.is_bookmarked is False
    page = learner_client.get(_url("item", fixed_attempt, 1)).content.decode()
    assert not re.findall(r'data-position="(\d+)"\s+class="nav-item[^"]*\bflagged\b', page)


def test_flag_without_question_is_a_clear_400(learner_client, fixed_attempt):
    response = learner_client.post(_url("flag", fixed_attempt, 1), {"flagged": "1"}, **JSON)
    assert response.status_code == 400
    assert response.json()["saved"] is False
    assert response.json()["error"]
    assert not fixed_attempt.responses.filter(is_bookmarked=True).exists()


def test_review_lists_unanswered_and_flagged_items(learner_client, fixed_attempt):
    learner_client.post(
        _url("answer", fixed_attempt, 1), _correct_payload(_item(fixed_attempt, 1)), **JSON
    )
    learner_client.post(
        _url("flag", fixed_attempt, 3),
        {"question": _item(fixed_attempt, 3).question_id, "flagged": "1"},
    )
    response = learner_client.get(_url("review", fixed_attempt))
    assert [entry.position for entry in response.context["unanswered"]] == [2, 3, 4]
    assert [entry.position for entry in response.context["flagged"]] == [3]


# --- finishing and the report -------------------------------------------------------------------


def _block_percents(page: str) -> list[int]:
    return [int(value) for value in re.findall(r'class="block-percent">(\d+)%', page)]


def test_finish_redirects_to_report_with_pass_and_block_scores(learner_client, mock_exam):
    attempt = _start(learner_client, mock_exam)
    for item in attempt.responses.select_related("question"):
        learner_client.post(_url("answer", attempt, item.position), _correct_payload(item), **JSON)

    response = learner_client.post(_url("finish", attempt))

    assert response.status_code == 302
    assert response.url == _url("report", attempt)
    attempt.refresh_from_db()
    assert attempt.is_completed is True
    assert attempt.passed is True
    page = learner_client.get(response.url).content.decode()
    assert '<span id="scaled-score">1000</span>/1000' in page
    assert "PASS" in page
    assert _block_percents(page) == [100, 100, 100, 100]


def test_finish_without_answers_reports_fail_and_zero_blocks(learner_client, mock_exam):
    attempt = _start(learner_client, mock_exam)

    response = learner_client.post(_url("finish", attempt), follow=True)

    page = response.content.decode()
    assert response.redirect_chain[-1][0] == _url("report", attempt)
    assert '<span id="scaled-score">0</span>/1000' in page
    assert "FAIL" in page
    assert _block_percents(page) == [0, 0, 0, 0]


def test_report_of_unfinished_attempt_redirects_to_the_attempt(learner_client, fixed_attempt):
    response = learner_client.get(_url("report", fixed_attempt))
    assert response.status_code == 302
    assert response.url == _url("attempt", fixed_attempt)
    fixed_attempt.refresh_from_db()
    assert fixed_attempt.is_completed is False


def test_finished_attempt_item_page_redirects_to_report(learner_client, fixed_attempt):
    learner_client.post(_url("finish", fixed_attempt))
    response = learner_client.get(_url("item", fixed_attempt, 1))
    assert response.status_code == 302
    assert response.url == _url("report", fixed_attempt)


# --- deadline -------------------------------------------------------------------------------


def _overdue(attempt: ExamSession) -> None:
    ExamSession.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(minutes=1))


def test_overdue_attempt_is_finished_when_its_item_is_requested(learner_client, fixed_attempt):
    _overdue(fixed_attempt)

    response = learner_client.get(_url("item", fixed_attempt, 2))

    assert response.status_code == 302
    assert response.url == _url("report", fixed_attempt)
    fixed_attempt.refresh_from_db()
    assert fixed_attempt.is_completed is True
    report = learner_client.get(response.url).content.decode()
    assert "Time is up" in report


def test_answer_after_deadline_is_rejected_with_time_message(learner_client, fixed_attempt):
    _overdue(fixed_attempt)
    single = _item(fixed_attempt, 1)

    response = _post_forged(learner_client, fixed_attempt, 1, _correct_payload(single))

    assert response.status_code == 409
    assert response.json()["saved"] is False
    assert "time" in response.json()["error"].lower()
    fixed_attempt.refresh_from_db()
    assert fixed_attempt.is_completed is True


# --- history ----------------------------------------------------------------------------------


def test_history_lists_only_the_learners_own_attempts(learner_client, user):
    own = ExamSessionFactory(user=user, exam=ExamFactory(title="My own mock"))
    other = ExamSessionFactory(exam=ExamFactory(title="Somebody else's set"))

    response = learner_client.get(reverse("exams:history"))

    page = response.content.decode()
    assert response.status_code == 200
    assert list(response.context["attempts"]) == [own]
    assert "My own mock" in page
    assert _url("attempt", own) in page
    assert "Somebody else" not in page
    assert _url("attempt", other) not in page


# --- query counts -----------------------------------------------------------------------------


# Session, user, attempt, navigator, item with question, its answers, position update.
ITEM_PAGE_QUERIES = 7
# Session, user, savepoint, the item with its question and its attempt (locked, one query),
# the UPDATE, release: the attempt is not read a second time, nor the options (the attempt's
# copy of the item holds them).
ANSWER_QUERIES = 6


def _bulk_bank(syllabus, size: int) -> None:
    bank_exam = ExamFactory(kind=Exam.Kind.BANK, title="Bulk bank")
    topics = list(Topic.objects.filter(module__syllabus=syllabus).select_related("module"))
    questions = Question.objects.bulk_create(
        Question(
            exam=bank_exam,
            topic=topics[index % len(topics)],
            original_id=f"bulk-{index}",
            text=f"Bulk question {index}",
            kind=Question.Kind.SINGLE,
            difficulty=1,
            points=quota_points(topics[index % len(topics)].module.number, index // len(topics)),
            explanation=f"{SECRET}bulk-{index}",
        )
        for index in range(size)
    )
    Answer.objects.bulk_create(
        Answer(
            question=question,
            text=f"Option {option}",
            is_correct=option == 1,
            answer_order=option,
            explanation=f"{SECRET}bulk-answer-{question.pk}-{option}",
        )
        for question in questions
        for option in range(1, 5)
    )


@pytest.mark.parametrize("bank_size", [100, 5000])
def test_item_page_and_answer_run_a_fixed_number_of_queries(
    learner_client, syllabus, bank_size, django_assert_max_num_queries
):
    _bulk_bank(syllabus, bank_size)
    mock = Exam.objects.get(kind=Exam.Kind.MOCK, syllabus=syllabus)
    attempt = _start(learner_client, mock)
    payload = _correct_payload(_item(attempt, 2))

    with django_assert_max_num_queries(ITEM_PAGE_QUERIES):
        response = learner_client.get(_url("item", attempt, 2))
    assert response.status_code == 200

    with django_assert_max_num_queries(ANSWER_QUERIES):
        response = learner_client.post(_url("answer", attempt, 2), payload, **JSON)
    assert json.loads(response.content)["saved"] is True


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


def test_item_and_review_queries_do_not_grow_with_attempt_length(
    learner_client, fixed_exam, mock_exam
):
    short = _start(learner_client, fixed_exam)  # 4 items
    long = _start(learner_client, mock_exam)  # 30 items
    assert _queries(learner_client, _url("review", short)) == _queries(
        learner_client, _url("review", long)
    )
    assert _queries(learner_client, _url("item", short, 2)) == _queries(
        learner_client, _url("item", long, 2)
    )


# --- practice ---------------------------------------------------------------------------------


def test_start_practice_creates_attempt_with_the_chosen_count(learner_client, user, bank):
    response = learner_client.post(reverse("exams:practice"), {"count": 3})

    attempt = ExamSession.objects.get(user=user)
    assert response.status_code == 302
    assert response.url == _url("attempt", attempt)
    assert attempt.mode == ExamSession.Mode.PRACTICE
    assert attempt.deadline is None
    assert attempt.responses.count() == 3
    assert learner_client.get(_url("item", attempt, 3)).status_code == 200


def test_practice_mistakes_only_without_mistakes_shows_message(learner_client, bank):
    response = learner_client.post(
        reverse("exams:practice"), {"count": 3, "mistakes_only": "on"}, follow=True
    )

    assert response.redirect_chain == [(reverse("exams:list"), 302)]
    assert "no wrongly answered questions" in response.content.decode()
    assert not ExamSession.objects.exists()


@pytest.mark.parametrize("count", ["0", "500", "abc"])
def test_practice_with_invalid_count_is_400_with_form_errors(learner_client, bank, count):
    response = learner_client.post(reverse("exams:practice"), {"count": count})

    assert response.status_code == 400
    assert "count" in response.context["practice_form"].errors
    assert "Please correct the practice choices." in response.content.decode()
    assert not ExamSession.objects.exists()


def test_start_practice_by_get_is_not_allowed(learner_client, bank):
    assert learner_client.get(reverse("exams:practice")).status_code == 405
    assert not ExamSession.objects.exists()


def test_exam_list_offers_exams_and_the_practice_form(learner_client, mock_exam):
    response = learner_client.get(reverse("exams:list"))
    assert response.status_code == 200
    assert mock_exam in list(response.context["exams"])
    assert reverse("exams:start", args=[mock_exam.pk]) in response.content.decode()


@pytest.mark.django_db
def test_syllabus_page_requires_login_and_cites_the_official_syllabus(client, syllabus, user):
    anonymous = client.get(reverse("syllabus"))
    client.force_login(user)
    page = client.get(reverse("syllabus")).content.decode()

    assert anonymous.status_code == 302
    assert "https://pythoninstitute.org/pcep-exam-syllabus" in page
    assert "4.4" in page
