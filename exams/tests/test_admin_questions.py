"""The question admin: authoring with inline answers, shared validation, preview, bulk actions."""

from __future__ import annotations

import html

import pytest
import yaml
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from exams import isolation, services
from exams.models import Answer, Exam, Question
from exams.tests.factories import (
    AnswerFactory,
    ExamFactory,
    ExamSessionFactory,
    QuestionFactory,
    TopicFactory,
    UserResponseFactory,
    make_question,
)

ADD_URL = reverse("admin:exams_question_add")
CHANGELIST_URL = reverse("admin:exams_question_changelist")

pytestmark = pytest.mark.django_db


def change_url(question: Question) -> str:
    return reverse("admin:exams_question_change", args=[question.pk])


@pytest.fixture
def topic():
    return TopicFactory(code="1.1", name="Literals")


@pytest.fixture
def exam():
    return ExamFactory(title="Authored set")


def question_data(*, exam, topic, answers, question=None, **fields) -> dict:
    """The POST body of the question change form with its answers inline.

    `answers` are dicts of Answer fields; one with an "id" is an existing row, the others
    are new. `fields` override the question's fields.
    """
    data = {
        "original_id": "adm-001",
        "text": "What does `print(1 + 1)` print?",
        "code_snippet": "print(1 + 1)",
        "exam": exam.pk,
        "topic": topic.pk,
        "kind": "single",
        "points": 20,
        "difficulty": 2,
        "choose": "",
        "is_active": "on",
        "question_order": 0,
        "verify_mode": "output",
        "verify_reason": "",
        "stdin": "",
        "expected_output": "",
        "explanation": "`1 + 1` is **2**.",
        "_save": "Save",
    }
    data.update(fields)
    initial = sum(1 for answer in answers if answer.get("id"))
    data.update(
        {
            "answers-TOTAL_FORMS": len(answers),
            "answers-INITIAL_FORMS": initial,
            "answers-MIN_NUM_FORMS": 0,
            "answers-MAX_NUM_FORMS": 1000,
        }
    )
    for index, answer in enumerate(answers):
        prefix = f"answers-{index}-"
        data[prefix + "id"] = answer.get("id", "")
        data[prefix + "question"] = question.pk if question else ""
        data[prefix + "answer_order"] = answer.get("answer_order", index + 1)
        data[prefix + "text"] = answer["text"]
        data[prefix + "raises"] = answer.get("raises", "")
        data[prefix + "gap_number"] = answer.get("gap_number", "")
        data[prefix + "explanation"] = answer.get("explanation", "")
        if answer.get("is_correct"):
            data[prefix + "is_correct"] = "on"
        if answer.get("DELETE"):
            data[prefix + "DELETE"] = "on"
    return data


def two_options(*, correct: tuple[bool, bool] = (True, False)) -> list[dict]:
    return [
        {"text": "2", "is_correct": correct[0], "explanation": "1 + 1 is 2."},
        {"text": "x < 3", "is_correct": correct[1], "explanation": "Not printed."},
    ]


def message_texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def select(action: str, questions, **extra) -> dict:
    return {"action": action, ACTION_CHECKBOX_NAME: [q.pk for q in questions], **extra}


# Authoring


def test_add_question_with_inline_answers_renders_its_html(admin_client, exam, topic, jail):
    response = admin_client.post(
        ADD_URL, question_data(exam=exam, topic=topic, answers=two_options())
    )

    assert response.status_code == 302, response.context["errors"]
    question = Question.objects.get(original_id="adm-001")
    assert question.html_content == "<p>What does <code>print(1 + 1)</code> print?</p>"
    assert question.explanation_html == "<p><code>1 + 1</code> is <strong>2</strong>.</p>"
    answers = list(question.answers.order_by("answer_order"))
    assert [(a.text, a.is_correct) for a in answers] == [("2", True), ("x < 3", False)]
    assert answers[1].html_content == "x &lt; 3"
    # Saving ran the key: print(1 + 1) prints 2, the option keyed correct.
    assert question.verification_status == Question.VerificationStatus.VERIFIED
    assert "The key was verified by running the code." in message_texts(response)


def test_line_breaks_sent_by_the_browser_do_not_break_a_multiline_key(
    admin_client, exam, topic, jail
):
    # Browsers submit textarea line breaks as CRLF; the code prints LF.
    answers = [
        {"text": "0\r\n1", "is_correct": True, "explanation": "range(2) gives 0, 1."},
        {"text": "1\r\n2", "explanation": "range starts at 0."},
    ]
    data = question_data(
        exam=exam, topic=topic, answers=answers, code_snippet="for i in range(2):\r\n    print(i)"
    )

    admin_client.post(ADD_URL, data)

    question = Question.objects.get(original_id="adm-001")
    assert question.verification_status == Question.VerificationStatus.VERIFIED
    assert question.answers.get(is_correct=True).text == "0\n1"


def test_saving_a_wrong_key_says_so_and_holds_the_question_back(admin_client, exam, topic, jail):
    response = admin_client.post(
        ADD_URL,
        question_data(exam=exam, topic=topic, answers=two_options(correct=(False, True))),
        follow=True,
    )

    question = Question.objects.get(original_id="adm-001")
    assert question.verification_status == Question.VerificationStatus.MISMATCH
    assert "keyed correct but the code prints '2'" in question.verification_detail
    (error,) = [text for text in message_texts(response) if "does not match its code" in text]
    assert "learners will not be given this question" in error
    assert question not in Question.objects.drawable()
    listing = admin_client.get(reverse("admin:exams_question_changelist"))
    assert listing.context["cl"].result_list[0] == question  # held back: listed first
    index = admin_client.get(reverse("admin:index")).content.decode()
    assert "1 question held back" in index


def test_sign_off_marks_only_unverifiable_keys_as_reviewed(admin_client, admin_user, exam, topic):
    prose = make_question(kind="single", exam=exam, topic=topic, options=2, verify_mode="none")
    runnable = make_question(kind="single", exam=exam, topic=topic, options=2)

    response = admin_client.post(
        reverse("admin:exams_question_changelist"),
        select("sign_off_review", [prose, runnable]),
        follow=True,
    )

    prose.refresh_from_db()
    runnable.refresh_from_db()
    assert (prose.reviewed_by, prose.reviewed_on) == (admin_user.username, timezone.localdate())
    assert runnable.reviewed_by == ""
    assert any("1 verifiable question(s) skipped" in text for text in message_texts(response))


def test_add_page_shows_the_code_editor_and_its_stylesheets(admin_client):
    page = admin_client.get(ADD_URL).content.decode()

    assert 'class="code-editor"' in page
    assert "css/admin-authoring.css" in page
    assert "css/code.css" in page


INVALID_FORMS = {
    "single with two correct": (
        {"answers": two_options(correct=(True, True))},
        "single-choice question with 2 correct answers",
    ),
    "no correct answer": (
        {"answers": two_options(correct=(False, False))},
        "no correct answer",
    ),
    "multiple: choose differs from the keys": (
        {
            "kind": "multiple",
            "choose": 2,
            "answers": [*two_options(), {"text": "4", "is_correct": False}],
        },
        "Choose: the stem asks to choose 2 but 1 answers are correct.",
    ),
    "fewer than two options": (
        {"answers": [{"text": "2", "is_correct": True}]},
        "a question needs at least two answers.",
    ),
    "gap without accepted answer for a marker": (
        {
            "kind": "gap",
            "code_snippet": "x = {{1}}\nprint(x {{2}} 1)",
            "expected_output": "6",
            "answers": [{"text": "5", "is_correct": True, "gap_number": 1}],
        },
        "gap 2 has no accepted answers.",
    ),
    "gap code without markers": (
        {
            "kind": "gap",
            "code_snippet": "print(5 + 1)",
            "expected_output": "6",
            "answers": [{"text": "5", "is_correct": True, "gap_number": 1}],
        },
        "Code snippet: a gap question's code needs gap markers",
    ),
    "verify none without a reason": (
        {"verify_mode": "none", "verify_reason": "  ", "answers": two_options()},
        "'verify: none' needs a 'verify_reason' saying why.",
    ),
    "ordering verified by expressions": (
        {
            "kind": "order",
            "verify_mode": "expressions",
            "answers": [
                {"text": "print(1)", "is_correct": True},
                {"text": "print(2)", "is_correct": True},
            ],
        },
        "order questions are verified by 'output' or 'none'.",
    ),
}


@pytest.mark.parametrize("case", INVALID_FORMS.values(), ids=INVALID_FORMS.keys())
def test_invalid_question_shows_its_error_and_saves_nothing(admin_client, exam, topic, case):
    fields, message = case
    fields = dict(fields)
    answers = fields.pop("answers")

    response = admin_client.post(
        ADD_URL, question_data(exam=exam, topic=topic, answers=answers, **fields)
    )

    assert response.status_code == 200
    assert html.escape(message) in response.content.decode()
    assert not Question.objects.exists()
    assert not Answer.objects.exists()


def test_verify_reason_error_is_shown_next_to_its_field(admin_client, exam, topic):
    data = question_data(exam=exam, topic=topic, answers=two_options(), verify_mode="none")

    response = admin_client.post(ADD_URL, data)

    form = response.context["adminform"].form
    assert form.errors["verify_reason"] == ["'verify: none' needs a 'verify_reason' saying why."]


def test_invalid_edit_leaves_the_stored_question_unchanged(admin_client, exam, topic):
    question = make_question(kind="single", exam=exam, topic=topic, options=2, text="Old stem")
    key, wrong = question.answers.order_by("answer_order")
    data = question_data(
        exam=exam,
        topic=topic,
        question=question,
        original_id=question.original_id,
        text="New stem",
        answers=[
            {"id": key.pk, "text": key.text, "is_correct": False},
            {"id": wrong.pk, "text": wrong.text, "is_correct": False},
        ],
    )

    response = admin_client.post(change_url(question), data)

    assert response.status_code == 200
    assert "no correct answer" in response.content.decode()
    question.refresh_from_db()
    key.refresh_from_db()
    assert question.text == "Old stem"
    assert key.is_correct


def test_deleting_an_option_below_two_is_refused(admin_client, exam, topic):
    question = make_question(kind="single", exam=exam, topic=topic, options=2)
    key, wrong = question.answers.order_by("answer_order")
    data = question_data(
        exam=exam,
        topic=topic,
        question=question,
        original_id=question.original_id,
        answers=[
            {"id": key.pk, "text": key.text, "is_correct": True},
            {"id": wrong.pk, "text": wrong.text, "DELETE": True},
        ],
    )

    response = admin_client.post(change_url(question), data)

    assert "a question needs at least two answers." in response.content.decode()
    assert question.answers.count() == 2


def _verified_question(exam, topic) -> Question:
    question = make_question(kind="single", exam=exam, topic=topic, options=2, text="Same stem")
    Question.objects.filter(pk=question.pk).update(
        verification_status=Question.VerificationStatus.VERIFIED
    )
    return question


def _edit(admin_client, question, *, exam, topic, answer_changes=None, **fields):
    key, wrong = question.answers.order_by("answer_order")
    answers = [
        {"id": key.pk, "text": key.text, "is_correct": True, "answer_order": 1,
         "explanation": key.explanation},
        {"id": wrong.pk, "text": wrong.text, "is_correct": False, "answer_order": 2,
         "explanation": wrong.explanation},
    ]  # fmt: skip
    answers[1].update(answer_changes or {})
    values = {
        "original_id": question.original_id,
        "text": question.text,
        "code_snippet": "",
        "difficulty": question.difficulty,
        "explanation": question.explanation,
        **fields,
    }
    data = question_data(exam=exam, topic=topic, question=question, answers=answers, **values)
    response = admin_client.post(change_url(question), data)
    assert response.status_code == 302, response.context["errors"]
    question.refresh_from_db()
    return question


def test_editing_the_stem_replaces_the_stale_verdict(admin_client, exam, topic, jail):
    question = _verified_question(exam, topic)

    question = _edit(admin_client, question, exam=exam, topic=topic, text="A new stem")

    # Verified again on save: without code, an output key cannot be checked.
    assert question.verification_status == Question.VerificationStatus.ERROR
    assert "has no 'code'" in question.verification_detail
    assert question.html_content == "<p>A new stem</p>"


def test_editing_an_answer_replaces_the_stale_verdict(admin_client, exam, topic, jail):
    question = _verified_question(exam, topic)

    question = _edit(
        admin_client, question, exam=exam, topic=topic, answer_changes={"text": "Option Z"}
    )

    assert question.verification_status == Question.VerificationStatus.ERROR
    assert question.answers.get(text="Option Z").html_content == "Option Z"


def test_editing_only_the_difficulty_keeps_the_verdict(admin_client, exam, topic, jail):
    question = _verified_question(exam, topic)
    Question.objects.filter(pk=question.pk).update(verify_mode="none", verify_reason="prose")
    question.refresh_from_db()

    question = _edit(
        admin_client, question, exam=exam, topic=topic, difficulty=4, verify_mode="none",
        verify_reason="prose",
    )  # fmt: skip

    assert question.difficulty == 4
    assert question.verification_status == Question.VerificationStatus.NOT_VERIFIABLE


# The change page


def test_change_page_shows_the_learner_preview_without_the_key(admin_client, exam, topic):
    question = make_question(
        kind="single",
        exam=exam,
        topic=topic,
        options=2,
        text="Stem <script>alert(1)</script>",
        code_snippet="print('<b>')",
        explanation="Overall reason",
    )
    key = question.answers.get(is_correct=True)
    Answer.objects.filter(pk=key.pk).update(
        text="<i>key</i>", html_content="&lt;i&gt;key&lt;/i&gt;", explanation="Key reason"
    )

    response = admin_client.get(change_url(question))

    page = response.content.decode()
    preview = _field(response, "learner_preview")
    key_section = _field(response, "key_and_explanations")
    assert '<div class="codehilite"' in preview
    assert "&#x27;&lt;b&gt;&#x27;" in preview or "&lt;b&gt;" in preview
    assert "&lt;i&gt;key&lt;/i&gt;" in preview
    assert "<script>alert(1)</script>" not in page
    assert 'type="radio"' in preview
    for secret in ("correct", "Key reason", "Overall reason"):
        assert secret not in preview
    assert "correct" in key_section
    assert "Key reason" in key_section
    assert "Overall reason" in key_section
    assert "Option B" in key_section


def _field(response, name: str) -> str:
    """The rendered contents of one readonly field of the change page."""
    for fieldset in response.context["adminform"]:
        for line in fieldset:
            for field in line:
                if field.is_readonly and field.field["name"] == name:
                    return str(field.contents())
    raise AssertionError(f"no readonly field {name}")


def test_preview_of_an_ordering_question_does_not_give_the_order_away(admin_client, exam, topic):
    question = make_question(kind="order", exam=exam, topic=topic, options=4)

    preview = _field(admin_client.get(change_url(question)), "learner_preview")

    shown = [preview.index(f"print({n})") for n in range(1, 5)]
    assert shown != sorted(shown)


def test_preview_of_a_gap_question_shows_inputs_not_accepted_answers(admin_client, exam, topic):
    question = make_question(kind="gap", exam=exam, topic=topic)

    response = admin_client.get(change_url(question))

    preview = _field(response, "learner_preview")
    assert preview.count('class="gap-input"') == 2
    assert "<code>5</code>" not in preview
    assert "accepted" not in preview
    assert "Gap 1</strong>: accepted <code>5</code>" in _field(response, "key_and_explanations")


def test_change_page_shows_the_item_statistics(admin_client, exam, topic):
    question = make_question(kind="single", exam=exam, topic=topic, options=2)
    key = question.answers.get(is_correct=True)
    for is_correct in (True, True, False, True):
        _answered(question, choice=key if is_correct else None, is_correct=is_correct)

    statistics = _field(admin_client.get(change_url(question)), "statistics")

    assert "Times answered</th><td>4" in statistics
    assert "0.75" in statistics
    assert "Option A" in statistics


def _answered(question, *, choice, is_correct):
    return UserResponseFactory(
        question=question,
        session__exam=question.exam,
        is_correct=is_correct,
        answered_at=timezone.now(),
        time_taken=10,
        response_data={"choices": [choice.pk] if choice else []},
    )


# The list view


def test_list_shows_objective_and_statistics_columns(admin_client, exam, topic):
    question = make_question(kind="single", exam=exam, topic=topic, original_id="list-001")
    key = question.answers.get(is_correct=True)
    _answered(question, choice=key, is_correct=True)
    _answered(question, choice=None, is_correct=False)

    response = admin_client.get(CHANGELIST_URL)

    page = response.content.decode()
    assert "list-001" in page
    row = response.context["cl"].result_list.get(pk=question.pk)
    assert (row.times_answered, row.facility) == (2, 0.5)
    assert '<td class="field-facility">0.50</td>' in page
    assert '<td class="field-objective">1.1</td>' in page


def test_search_finds_questions_by_answer_text_and_code(admin_client, exam, topic):
    wanted = make_question(kind="single", exam=exam, topic=topic, code_snippet="print('needle')")
    other = make_question(kind="single", exam=exam, topic=topic)
    AnswerFactory(question=wanted, text="haystack option")

    by_code = admin_client.get(CHANGELIST_URL, {"q": "needle"})
    by_answer = admin_client.get(CHANGELIST_URL, {"q": "haystack"})

    for response in (by_code, by_answer):
        found = list(response.context["cl"].result_list)
        assert found == [wanted]
        assert other not in found


def test_filters_by_block_kind_and_needs_review(admin_client, exam, topic):
    mismatched = make_question(
        kind="single", exam=exam, topic=topic, verification_status="mismatch"
    )
    fine = make_question(kind="multiple", exam=exam, topic=topic, correct=2)
    elsewhere = make_question(kind="single", exam=exam, topic=TopicFactory())

    def shown(params):
        return set(admin_client.get(CHANGELIST_URL, params).context["cl"].result_list)

    assert shown({"topic__module__id__exact": topic.module_id}) == {mismatched, fine}
    assert shown({"kind__exact": "multiple"}) == {fine}
    assert shown({"needs_review": "yes"}) == {mismatched}
    assert elsewhere in shown({})


def test_needs_review_includes_questions_flagged_by_their_statistics(admin_client, exam, topic):
    too_easy = make_question(kind="single", exam=exam, topic=topic)
    key = too_easy.answers.get(is_correct=True)
    for _ in range(30):
        _answered(too_easy, choice=key, is_correct=True)
    make_question(kind="single", exam=exam, topic=topic)

    response = admin_client.get(CHANGELIST_URL, {"needs_review": "yes"})

    assert list(response.context["cl"].result_list) == [too_easy]


# Bulk actions


def test_activate_and_deactivate(admin_client):
    first, second = QuestionFactory(is_active=True), QuestionFactory(is_active=True)

    response = admin_client.post(CHANGELIST_URL, select("deactivate", [first, second]))

    assert response.status_code == 302
    assert not Question.objects.filter(is_active=True).exists()
    assert "Deactivated 2 question(s)" in message_texts(response)[0]

    response = admin_client.post(CHANGELIST_URL, select("activate", [first]))

    assert list(Question.objects.filter(is_active=True)) == [first]
    assert message_texts(response)[-1] == "Activated 1 question(s)."


def test_move_to_topic_asks_for_the_objective_then_moves(admin_client, topic):
    first, second, untouched = QuestionFactory(), QuestionFactory(), QuestionFactory()

    page = admin_client.post(CHANGELIST_URL, select("move_to_topic", [first, second]))

    assert page.status_code == 200
    assert 'name="topic"' in page.content.decode()
    assert first.topic_id != topic.pk

    response = admin_client.post(
        CHANGELIST_URL, select("move_to_topic", [first, second], apply="Apply", topic=topic.pk)
    )

    assert response.status_code == 302
    assert set(Question.objects.filter(topic=topic)) == {first, second}
    untouched.refresh_from_db()
    assert untouched.topic_id != topic.pk
    assert message_texts(response) == ["Moved 2 question(s) to objective 1.1 Literals."]


def test_set_difficulty_asks_for_the_level_then_sets_it(admin_client):
    first, second = QuestionFactory(difficulty=1), QuestionFactory(difficulty=1)

    page = admin_client.post(CHANGELIST_URL, select("set_difficulty", [first]))
    assert 'name="difficulty"' in page.content.decode()

    response = admin_client.post(
        CHANGELIST_URL, select("set_difficulty", [first], apply="Apply", difficulty="4")
    )

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.difficulty, second.difficulty) == (4, 1)
    assert message_texts(response) == ["Set difficulty 4 on 1 question(s)."]


def _output_question(original_id: str, *, key: str, wrong: str) -> Question:
    question = QuestionFactory(original_id=original_id, code_snippet="print(1+1)")
    AnswerFactory(question=question, text=key, is_correct=True, answer_order=1)
    AnswerFactory(question=question, text=wrong, is_correct=False, answer_order=2)
    return question


def test_verify_keys_reports_verified_and_mismatched_questions(admin_client):
    right = _output_question("key-right", key="2", wrong="3")
    wrong = _output_question("key-wrong", key="3", wrong="2")

    response = admin_client.post(CHANGELIST_URL, select("verify_keys", [right, wrong]))

    right.refresh_from_db()
    wrong.refresh_from_db()
    assert right.verification_status == Question.VerificationStatus.VERIFIED
    assert wrong.verification_status == Question.VerificationStatus.MISMATCH
    messages = list(get_messages(response.wsgi_request))
    assert str(messages[0]) == "1 verified, 1 mismatched: key-wrong."
    assert messages[0].level_tag == "warning"
    assert str(messages[1]).startswith("key-wrong: ")
    assert messages[1].level_tag == "error"


def test_verify_keys_without_the_jail_says_so_and_changes_nothing(admin_client, monkeypatch):
    question = _output_question("key-unjailed", key="2", wrong="3")
    monkeypatch.setattr(isolation, "isolation_problem", lambda: "bwrap is not installed")

    response = admin_client.post(CHANGELIST_URL, select("verify_keys", [question]), follow=True)

    question.refresh_from_db()
    assert question.verification_status == Question.VerificationStatus.UNCHECKED
    (message,) = get_messages(response.wsgi_request)
    assert message.level_tag == "error"
    assert "refuses to run question code" in str(message)
    assert "bwrap is not installed" in str(message)


def test_export_selection_downloads_yaml_with_the_selected_ids(admin_client, exam, topic):
    first = make_question(kind="single", exam=exam, topic=topic, original_id="exp-1")
    second = make_question(kind="gap", exam=exam, topic=topic, original_id="exp-2")
    make_question(kind="single", exam=exam, topic=topic, original_id="not-selected")

    response = admin_client.post(CHANGELIST_URL, select("export_selection", [first, second]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/yaml")
    assert response["Content-Disposition"].startswith('attachment; filename="questions-')
    document = yaml.safe_load(response.content)
    assert [question["id"] for question in document["questions"]] == ["exp-1", "exp-2"]
    assert document["questions"][0]["objective"] == "1.1"


def test_regrade_answers_reports_attempts_and_changed_scores(admin_client, user, syllabus):
    exam = ExamFactory(kind=Exam.Kind.FIXED, time_limit=600)
    topic = syllabus.modules.get(number=1).topics.first()
    question = make_question(exam=exam, topic=topic, options=2)
    old_key, new_key = question.answers.order_by("answer_order")
    attempt = services.start_attempt(user=user, exam=exam)
    services.record_answer(attempt=attempt, question_id=question.pk, choice_ids=[new_key.pk])
    attempt = services.finish_attempt(attempt=attempt)
    assert attempt.scaled_score == 0
    Answer.objects.filter(pk=old_key.pk).update(is_correct=False)
    Answer.objects.filter(pk=new_key.pk).update(is_correct=True)

    response = admin_client.post(CHANGELIST_URL, select("regrade_answers", [question]))

    attempt.refresh_from_db()
    assert attempt.scaled_score == 1000
    assert message_texts(response) == ["Regraded 1 attempts; 1 scores changed."]


# Learners' history


@pytest.mark.parametrize("change", ["delete", "rewrite"])
def test_options_learners_answered_cannot_be_removed_or_rewritten(
    admin_client, exam, topic, change
):
    question = make_question(exam=exam, topic=topic, original_id="answered-1")
    answers = list(question.answers.order_by("answer_order"))
    session = ExamSessionFactory(exam=exam)
    UserResponseFactory(session=session, question=question, answer=answers[0])
    rows = [
        {"id": a.pk, "text": a.text, "is_correct": a.is_correct, "explanation": "why"}
        for a in answers
    ]
    if change == "delete":
        rows[-1]["DELETE"] = True
    else:
        rows[-1]["text"] = "Something else entirely"

    response = admin_client.post(
        change_url(question),
        question_data(
            exam=exam, topic=topic, answers=rows, question=question, original_id="answered-1"
        ),
    )

    assert response.status_code == 200
    assert "options keep their identity" in html.unescape(response.content.decode())
    assert [a.text for a in question.answers.order_by("answer_order")] == [a.text for a in answers]


def test_a_question_added_without_an_id_gets_a_stable_one(admin_client, exam, topic):
    admin_client.post(
        ADD_URL, question_data(exam=exam, topic=topic, answers=two_options(), original_id="")
    )

    question = Question.objects.get(text="What does `print(1 + 1)` print?")
    assert question.original_id == f"admin-{question.pk}"
