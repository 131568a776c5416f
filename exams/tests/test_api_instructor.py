"""The instructor side of the REST API: questions, verification, statistics, import and
export, and cohort results; who may use it, its errors, and what it writes."""

from __future__ import annotations

import copy
import csv
import datetime
import io

import pytest
import yaml
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services import issue_api_token
from accounts.tests.factories import UserFactory
from exams.api import instructor_views
from exams.content.exporting import dump_document
from exams.content.importing import import_content
from exams.isolation import SandboxUnavailable
from exams.models import Answer, Exam, ExamSession, Question, Topic
from exams.tests.factories import (
    ExamFactory,
    ExamSessionFactory,
    UserResponseFactory,
    make_question,
)

pytestmark = pytest.mark.django_db

QUESTION = {
    "id": "q-api-001",
    "objective": "1.3",
    "kind": "single",
    "difficulty": 2,
    "points": 20,
    "text": "What is the **output** of the following snippet?",
    "code": "print(0x10 + 0o10)\n",
    "verify": "output",
    "answers": [
        {"text": "24", "correct": True, "explanation": "0x10 is 16 and 0o10 is 8."},
        {"text": "20", "explanation": "Reads both literals as decimal 10."},
        {"text": "<b>1010</b>", "explanation": "Joins the digits as text."},
    ],
    "explanation": "Hexadecimal and octal literals are *ints*: 16 + 8 is 24.",
}


def question_doc(**changes) -> dict:
    return {**copy.deepcopy(QUESTION), **changes}


def file_text(*questions: dict, title: str = "API test set") -> str:
    return dump_document(
        {
            "format": 1,
            "exam": {"title": title, "description": "", "version": "1.0"},
            "questions": list(questions),
        }
    )


def client_for(user) -> APIClient:
    _, key = issue_api_token(user=user, name="tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer " + key)
    return client


@pytest.fixture
def instructor():
    user = UserFactory()
    user.groups.add(Group.objects.get(name="Instructors"))
    return user


@pytest.fixture
def api(instructor) -> APIClient:
    return client_for(instructor)


@pytest.fixture
def learner_api(user) -> APIClient:
    return client_for(user)


@pytest.fixture
def question_set(syllabus) -> Exam:
    return ExamFactory(kind=Exam.Kind.BANK, title="Block 1 bank", source_file="block1.yaml")


@pytest.fixture
def question(question_set) -> Question:
    """A question created through the API (so, by the importer)."""
    response = client_for_staff().post(
        reverse("api:questions"), {"exam": question_set.pk, **QUESTION}, format="json"
    )
    assert response.status_code == 201, response.json()
    return Question.objects.get(original_id=QUESTION["id"])


def client_for_staff() -> APIClient:
    return client_for(UserFactory(is_staff=True))


def answered(question: Question) -> None:
    """A learner chose the question's first option."""
    first = question.answers.order_by("answer_order").first()
    UserResponseFactory(
        question=question,
        session=ExamSessionFactory(exam=question.exam),
        answer=first,
        answered_at=timezone.now(),
        response_data={"choices": [first.pk]},
    )


def assert_envelope(response, status_code: int, code: str | None = None) -> dict:
    assert response.status_code == status_code, response.content
    error = response.json()["error"]
    assert set(error) >= {"code", "message", "field"}
    if code is not None:
        assert error["code"] == code
    return error


def rows(question: Question) -> dict:
    """What the importer writes for a question, apart from its identity and place."""
    fields = [
        "text", "html_content", "difficulty", "code_snippet", "explanation", "explanation_html",
        "kind", "points", "choose", "stdin", "expected_output", "verify_mode", "verify_reason",
        "is_active", "topic_id",
    ]  # fmt: skip
    answer_fields = [
        "original_id", "text", "html_content", "is_correct", "explanation", "answer_order",
        "raises", "gap_number",
    ]  # fmt: skip
    return {
        "question": {name: getattr(question, name) for name in fields},
        "answers": list(question.answers.order_by("answer_order").values(*answer_fields)),
    }


# Who may call: anonymous 401, learner 403, on every endpoint


def endpoints(question_id: int) -> list[tuple[str, str]]:
    return [
        ("get", reverse("api:questions")),
        ("post", reverse("api:questions")),
        ("get", reverse("api:question", args=[question_id])),
        ("put", reverse("api:question", args=[question_id])),
        ("patch", reverse("api:question", args=[question_id])),
        ("delete", reverse("api:question", args=[question_id])),
        ("post", reverse("api:question-verify", args=[question_id])),
        ("get", reverse("api:question-statistics", args=[question_id])),
        ("get", reverse("api:questions-export")),
        ("post", reverse("api:imports")),
        ("post", reverse("api:imports-apply")),
        ("get", reverse("api:results")),
        ("get", reverse("api:results-objectives")),
    ]


def test_anonymous_callers_get_401_everywhere(question):
    for method, url in endpoints(question.pk):
        response = getattr(APIClient(), method)(url, {}, format="json")
        assert_envelope(response, 401, "not_authenticated")
    assert Question.objects.get(pk=question.pk).is_active


def test_learners_get_403_everywhere_and_change_nothing(question, learner_api):
    before = rows(question)
    for method, url in endpoints(question.pk):
        response = getattr(learner_api, method)(url, {"difficulty": 5}, format="json")
        assert_envelope(response, 403, "permission_denied")
    assert rows(Question.objects.get(pk=question.pk)) == before


@pytest.mark.parametrize(
    ("method", "name", "with_id"),
    [
        ("delete", "api:questions", False),
        ("post", "api:question", True),
        ("get", "api:question-verify", True),
        ("post", "api:question-statistics", True),
        ("post", "api:questions-export", False),
        ("get", "api:imports", False),
        ("get", "api:imports-apply", False),
        ("post", "api:results", False),
        ("delete", "api:results-objectives", False),
    ],
)
def test_wrong_methods_get_405(api, question, method, name, with_id):
    url = reverse(name, args=[question.pk] if with_id else [])
    assert_envelope(getattr(api, method)(url), 405, "method_not_allowed")


# Questions: list


def test_list_has_keys_and_explanations_and_filters(api, question, syllabus, jail):
    other = make_question(topic=Topic.objects.get(code="2.1"), exam=question.exam)

    body = api.get(reverse("api:questions")).json()
    assert body["count"] == 2
    listed = {item["id"]: item for item in body["results"]}
    item = listed["q-api-001"]
    assert item["pk"] == question.pk
    assert item["objective"] == "1.3" and item["block"] == 1
    assert item["html"] == question.html_content
    assert [answer["correct"] for answer in item["answers"]] == [True, False, False]
    assert item["answers"][0]["explanation"] == "0x10 is 16 and 0o10 is 8."
    assert item["explanation"] == QUESTION["explanation"]

    def ids(**params) -> set[str]:
        response = api.get(reverse("api:questions"), params)
        assert response.status_code == 200, response.json()
        return {item["id"] for item in response.json()["results"]}

    assert ids(objective="1.3") == {"q-api-001"}
    assert ids(block=2) == {other.original_id}
    assert ids(kind="single", exam=question.exam_id) == {"q-api-001", other.original_id}
    # Written through the API, its key was verified on the way in; the factory's was not.
    assert ids(verification_status="verified") == {"q-api-001"}
    assert ids(search="0x10") == {"q-api-001"}
    other.is_active = False
    other.save()
    assert ids(is_active="false") == {other.original_id}


def test_list_refuses_a_malformed_filter(api, question):
    error = assert_envelope(api.get(reverse("api:questions"), {"kind": "essay"}), 400)
    assert error["field"] == "kind"


def test_list_queries_do_not_grow_with_rows(api, syllabus, django_assert_max_num_queries):
    exam = ExamFactory()
    for _ in range(2):
        make_question(exam=exam)
    with django_assert_max_num_queries(8):
        assert api.get(reverse("api:questions")).json()["count"] == 2
    for _ in range(40):
        make_question(kind="multiple", correct=2, options=5, exam=exam)
    with django_assert_max_num_queries(8):
        assert len(api.get(reverse("api:questions"), {"page_size": 100}).json()["results"]) == 42


# Questions: create


def test_created_question_is_the_same_rows_as_the_same_question_imported(
    api, question_set, tmp_path
):
    response = api.post(
        reverse("api:questions"), {"exam": question_set.pk, **QUESTION}, format="json"
    )

    assert response.status_code == 201, response.json()
    created = Question.objects.get(original_id="q-api-001")
    assert response.json()["pk"] == created.pk
    assert created.exam == question_set and created.is_active
    assert "<strong>output</strong>" in created.html_content
    assert Exam.objects.get(pk=question_set.pk).total_questions == 1
    path = tmp_path / "same.yaml"
    path.write_text(file_text(question_doc(id="q-file-001")), encoding="utf-8")
    assert import_content(paths=[path]).ok
    assert rows(Question.objects.get(original_id="q-file-001")) == rows(created)


def test_new_questions_go_after_the_last_of_their_set(api, question, question_set):
    response = api.post(
        reverse("api:questions"),
        {"exam": question_set.pk, **question_doc(id="q-api-002")},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["question_order"] == question.question_order + 1


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"answers": [{"text": "1", "correct": True, "explanation": "x"}] * 2}, "exactly one"),
        ({"objective": "9.9"}, "unknown objective"),
        ({"points": 25}, "'points' is 25"),
        ({"kind": "essay"}, "kind 'essay'"),
        ({"id": "x" * 51}, "the limit is 50"),
        ({"text": "bell \x07"}, "control character"),
        ({"verify": "none"}, "verify_reason"),
    ],
)
def test_a_question_breaking_an_importer_rule_is_refused_and_not_written(
    api, question_set, changes, words
):
    response = api.post(
        reverse("api:questions"),
        {"exam": question_set.pk, **question_doc(**changes)},
        format="json",
    )

    error = assert_envelope(response, 400, "content_invalid")
    assert any(words in problem["message"] for problem in error["problems"]), error
    assert not Question.objects.exists()


def test_create_needs_a_set_and_a_new_id(api, question):
    error = assert_envelope(api.post(reverse("api:questions"), QUESTION, format="json"), 400)
    assert error["field"] == "exam"
    response = api.post(
        reverse("api:questions"), {"exam": question.exam_id, **QUESTION}, format="json"
    )
    error = assert_envelope(response, 400, "content_invalid")
    assert "duplicate id" in error["message"]
    assert Question.objects.count() == 1


def test_create_refuses_a_body_that_is_not_an_object(api, question_set):
    assert_envelope(api.post(reverse("api:questions"), [1, 2], format="json"), 400)
    assert not Question.objects.exists()


# Questions: retrieve, update, delete


def test_retrieve_has_an_etag_that_answers_304(api, question):
    url = reverse("api:question", args=[question.pk])
    first = api.get(url)
    assert first.status_code == 200 and first.json()["id"] == "q-api-001"

    again = api.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304

    api.patch(url, {"difficulty": 4}, format="json")
    changed = api.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]


def test_retrieve_unknown_question_is_404(api, syllabus):
    assert_envelope(api.get(reverse("api:question", args=[999999])), 404, "not_found")


def test_put_rewrites_the_question_and_verifies_it_again(api, question, jail):
    Question.objects.filter(pk=question.pk).update(verification_status="unchecked")
    document = question_doc(text="What does it print now?", difficulty=3)
    document["answers"].append({"text": "8", "explanation": "Only the octal part."})

    response = api.put(reverse("api:question", args=[question.pk]), document, format="json")

    assert response.status_code == 200, response.json()
    question.refresh_from_db()
    assert question.text == "What does it print now?" and question.difficulty == 3
    assert question.html_content == "<p>What does it print now?</p>"
    assert question.answers.count() == 4
    assert question.verification_status == "verified"
    assert response.json()["answers"][3]["id"] == "d"


def test_patch_changes_only_the_keys_given(api, question):
    before = rows(question)

    response = api.patch(
        reverse("api:question", args=[question.pk]), {"difficulty": 5}, format="json"
    )

    assert response.status_code == 200, response.json()
    after = rows(Question.objects.get(pk=question.pk))
    assert after["question"].pop("difficulty") == 5
    before["question"].pop("difficulty")
    assert after == before


def test_update_refuses_rewriting_an_option_learners_answered(api, question):
    answered(question)
    before = rows(question)
    document = question_doc()
    document["answers"][1]["text"] = "25"  # a wrong option rewritten into another

    response = api.put(reverse("api:question", args=[question.pk]), document, format="json")

    error = assert_envelope(response, 400, "content_invalid")
    assert "learners have answered" in error["message"]
    removed = api.patch(
        reverse("api:question", args=[question.pk]),
        {"answers": QUESTION["answers"][:2]},
        format="json",
    )
    assert "cannot be removed" in assert_envelope(removed, 400)["message"]
    assert rows(Question.objects.get(pk=question.pk)) == before


def test_update_may_fix_the_key_of_an_answered_question(api, question):
    answered(question)
    document = question_doc()
    document["answers"][0]["explanation"] = "Sixteen plus eight."

    response = api.put(reverse("api:question", args=[question.pk]), document, format="json")

    assert response.status_code == 200, response.json()
    assert question.answers.get(original_id="a").explanation == "Sixteen plus eight."


def test_update_refuses_changing_the_id_or_the_set(api, question):
    url = reverse("api:question", args=[question.pk])
    error = assert_envelope(api.put(url, question_doc(id="q-other"), format="json"), 400)
    assert "cannot change" in error["message"]
    other_set = ExamFactory()
    error = assert_envelope(api.patch(url, {"exam": other_set.pk}, format="json"), 400)
    assert error["field"] == "exam"
    error = assert_envelope(api.patch(url, {"is_active": "maybe"}, format="json"), 400)
    assert error["field"] == "is_active"
    assert Question.objects.get(pk=question.pk).original_id == "q-api-001"


def test_delete_retires_and_patch_brings_back(api, question):
    url = reverse("api:question", args=[question.pk])

    assert api.delete(url).status_code == 204

    question.refresh_from_db()
    assert not question.is_active
    assert Exam.objects.get(pk=question.exam_id).total_questions == 0
    assert api.get(url).json()["is_active"] is False
    response = api.patch(url, {"is_active": True}, format="json")
    assert response.status_code == 200 and response.json()["is_active"] is True
    assert Exam.objects.get(pk=question.exam_id).total_questions == 1


def test_rewriting_a_retired_question_keeps_it_retired(api, question):
    url = reverse("api:question", args=[question.pk])
    api.delete(url)

    response = api.put(url, question_doc(difficulty=4), format="json")

    assert response.status_code == 200
    assert response.json()["is_active"] is False and response.json()["difficulty"] == 4


# Verify and statistics


def test_verify_runs_the_key_and_stores_the_verdict(api, question, jail):
    response = api.post(reverse("api:question-verify", args=[question.pk]))

    assert response.status_code == 200, response.json()
    assert response.json() == {"id": "q-api-001", "verification_status": "verified", "problems": []}
    assert Question.objects.get(pk=question.pk).verification_status == "verified"


def test_a_wrong_key_is_refused_on_write_and_nothing_changes(api, question, jail):
    before = rows(question)
    document = question_doc()
    document["answers"][0]["correct"], document["answers"][1]["correct"] = False, True

    response = api.put(reverse("api:question", args=[question.pk]), document, format="json")

    error = assert_envelope(response, 400, "content_invalid")
    assert "wrong key" in error["message"]
    assert rows(Question.objects.get(pk=question.pk)) == before


def test_verify_reports_a_wrong_key(api, question, jail):
    # A key broken behind the API's back (a database edit): verify finds it.
    question.answers.filter(original_id="a").update(is_correct=False)
    question.answers.filter(original_id="b").update(is_correct=True)

    body = api.post(reverse("api:question-verify", args=[question.pk])).json()

    assert body["verification_status"] == "mismatch" and body["problems"]
    assert Question.objects.get(pk=question.pk).verification_status == "mismatch"


def test_verify_without_the_jail_is_503_and_changes_nothing(api, question, monkeypatch):
    def unavailable(**kwargs):
        raise SandboxUnavailable("bubblewrap (bwrap) is not installed")

    monkeypatch.setattr(instructor_views, "verify_stored_questions", unavailable)
    before = rows(question)

    response = api.post(reverse("api:question-verify", args=[question.pk]))

    error = assert_envelope(response, 503, "sandbox_unavailable")
    assert error["message"] == "bubblewrap (bwrap) is not installed"
    assert rows(Question.objects.get(pk=question.pk)) == before


def test_verify_unknown_question_is_404(api, syllabus):
    assert_envelope(api.post(reverse("api:question-verify", args=[999999])), 404)


def test_statistics_are_the_admins(api, question):
    answered(question)

    response = api.get(reverse("api:question-statistics", args=[question.pk]))

    assert response.status_code == 200
    body = response.json()
    assert body["times_answered"] == 1 and body["facility"] == 0.0
    assert [(option["id"], option["count"], option["share"]) for option in body["options"]] == [
        ("a", 1, 1.0),
        ("b", 0, 0.0),
        ("c", 0, 0.0),
    ]
    assert body["flags"] == []
    assert_envelope(api.get(reverse("api:question-statistics", args=[999999])), 404)


# Export


def test_export_is_a_content_file_of_the_selection(api, question, tmp_path):
    make_question(topic=Topic.objects.get(code="2.1"), exam=question.exam)

    response = api.get(reverse("api:questions-export"), {"objective": "1.3"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/yaml; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    document = yaml.safe_load(response.content)
    assert [item["id"] for item in document["questions"]] == ["q-api-001"]
    assert document["questions"][0]["answers"][0] == QUESTION["answers"][0]
    # The export imports again, unchanged.
    path = tmp_path / "block1-export.yaml"
    path.write_bytes(response.content)
    Question.objects.filter(pk=question.pk).update(exam=None)
    assert import_content(paths=[path], dry_run=True).ok


def test_export_errors_stay_json(api, learner_api, syllabus):
    response = api.get(reverse("api:questions-export"), {"kind": "essay"})
    assert response["Content-Type"] == "application/json"
    assert_envelope(response, 400)
    assert_envelope(learner_api.get(reverse("api:questions-export")), 403)


# Imports


def test_import_dry_run_reports_and_writes_nothing_then_apply_imports(api, syllabus):
    content = file_text(question_doc(), question_doc(id="q-api-002"))
    body = {"file_name": "extras.yaml", "content": content}

    dry = api.post(reverse("api:imports"), body, format="json")

    assert dry.status_code == 200, dry.json()
    report = dry.json()
    assert report["dry_run"] is True and report["created"] == 2 and report["exams_created"] == 1
    assert report["problems"] == [] and report["confirmation"]
    assert not Question.objects.exists() and not Exam.objects.filter(source_file="extras.yaml")

    applied = api.post(
        reverse("api:imports-apply"),
        {**body, "confirmation": report["confirmation"]},
        format="json",
    )

    assert applied.status_code == 200, applied.json()
    assert applied.json()["created"] == 2 and applied.json()["confirmation"] is None
    exam = Exam.objects.get(source_file="extras.yaml")
    assert set(exam.questions.values_list("original_id", flat=True)) == {"q-api-001", "q-api-002"}


def test_import_takes_a_multipart_upload(api, syllabus):
    upload = SimpleUploadedFile(
        "upload.yaml", file_text(question_doc()).encode(), "application/yaml"
    )

    response = api.post(
        reverse("api:imports"), {"file": upload, "dry_run": "false"}, format="multipart"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["created"] == 1 and response.json()["confirmation"] is None
    assert Question.objects.get(original_id="q-api-001").exam.source_file == "upload.yaml"


def test_a_bad_file_is_400_with_every_problem_and_nothing_written(api, syllabus):
    broken = question_doc(id="q-api-002", objective="9.9")
    content = file_text(question_doc(), broken, question_doc(id="q-api-003", points=7))

    response = api.post(
        reverse("api:imports"), {"file_name": "bad.yaml", "content": content}, format="json"
    )

    error = assert_envelope(response, 400, "content_invalid")
    problems = error["problems"]
    assert {problem["question_id"] for problem in problems} == {"q-api-002", "q-api-003"}
    assert all(problem["file"] == "bad.yaml" and problem["line"] for problem in problems)
    assert error["report"]["problems"] == problems
    assert not Question.objects.exists() and not Exam.objects.filter(source_file="bad.yaml")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"file_name": "x.yaml"},
        {"file_name": "../../etc/x.yaml", "content": "format: 1"},
        {"file_name": "x.yaml", "content": "a: [unclosed"},
    ],
)
def test_import_refuses_bad_input(api, syllabus, body):
    assert_envelope(api.post(reverse("api:imports"), body, format="json"), 400)
    assert not Exam.objects.filter(kind=Exam.Kind.BANK).exists()


def test_apply_refuses_other_content_another_user_and_a_forged_token(api, instructor, syllabus):
    body = {"file_name": "extras.yaml", "content": file_text(question_doc())}
    confirmation = api.post(reverse("api:imports"), body, format="json").json()["confirmation"]
    other_instructor = UserFactory(is_staff=True)

    attempts = [
        (
            api,
            {
                **body,
                "content": file_text(question_doc(difficulty=5)),
                "confirmation": confirmation,
            },
        ),
        (api, {**body, "file_name": "renamed.yaml", "confirmation": confirmation}),
        (client_for(other_instructor), {**body, "confirmation": confirmation}),
        (api, {**body, "confirmation": confirmation + "x"}),
        (api, body),
    ]

    for client, attempt in attempts:
        error = assert_envelope(
            client.post(reverse("api:imports-apply"), attempt, format="json"), 400
        )
        assert error["field"] == "confirmation"
    assert not Question.objects.exists()


def test_apply_refuses_an_expired_confirmation(api, syllabus, monkeypatch):
    body = {"file_name": "extras.yaml", "content": file_text(question_doc())}
    confirmation = api.post(reverse("api:imports"), body, format="json").json()["confirmation"]
    monkeypatch.setattr("exams.content.file_import.CONFIRMATION_MAX_AGE_SECONDS", -1)

    response = api.post(
        reverse("api:imports-apply"), {**body, "confirmation": confirmation}, format="json"
    )

    assert_envelope(response, 400, "confirmation_invalid")
    assert not Question.objects.exists()


# Results


@pytest.fixture
def finished_attempts(syllabus, user):
    exam = ExamFactory(title="=HYPERLINK(evil)")
    made = []
    for days_ago, mode in ((0, "exam"), (3, "practice"), (10, "exam")):
        finished = timezone.now() - datetime.timedelta(days=days_ago)
        made.append(
            ExamSessionFactory(
                user=user,
                exam=exam,
                mode=mode,
                is_completed=True,
                end_time=finished,
                score=70.0,
                scaled_score=700,
                passed=True,
                points_earned=14,
                points_possible=20,
            )
        )
    ExamSessionFactory(user=user, exam=exam)  # in progress: not a result
    return made


def test_results_list_finished_attempts_with_scores_and_filters(api, finished_attempts, user):
    body = api.get(reverse("api:results")).json()

    assert body["count"] == 3
    newest = body["results"][0]
    assert newest["id"] == finished_attempts[0].pk
    assert newest["username"] == user.username and newest["scaled_score"] == 700
    assert newest["max_score"] == 1000 and newest["passed"] is True

    def ids(**params):
        response = api.get(reverse("api:results"), params)
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    today = timezone.localdate()
    week_ago = today - datetime.timedelta(days=7)
    assert ids(finished_from=week_ago.isoformat()) == [a.pk for a in finished_attempts[:2]]
    assert ids(finished_to=week_ago.isoformat()) == [finished_attempts[2].pk]
    assert ids(mode="practice") == [finished_attempts[1].pk]
    assert ids(user=user.pk + 1000) == []
    assert len(ids(exam=finished_attempts[0].exam_id)) == 3


def test_results_refuse_a_reversed_range_and_a_bad_mode(api, finished_attempts):
    today = timezone.localdate()
    reversed_range = {"finished_from": today.isoformat(), "finished_to": "2020-01-01"}
    error = assert_envelope(api.get(reverse("api:results"), reversed_range), 400)
    assert "on or before" in error["message"]
    assert_envelope(api.get(reverse("api:results"), {"mode": "exam2"}), 400)


def test_results_as_csv_every_row_and_formulas_defused(api, finished_attempts):
    for response in (
        api.get(reverse("api:results"), {"format": "csv", "page_size": 1}),
        api.get(reverse("api:results"), {"page_size": 1}, HTTP_ACCEPT="text/csv"),
    ):
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        table = list(csv.DictReader(io.StringIO(response.content.decode())))
        assert [int(row["id"]) for row in table] == [a.pk for a in finished_attempts]
        assert table[0]["exam_title"] == "'=HYPERLINK(evil)"


def test_results_queries_do_not_grow_with_rows(api, syllabus, django_assert_max_num_queries):
    def finish(count: int) -> None:
        for _ in range(count):
            ExamSessionFactory(is_completed=True, end_time=timezone.now())

    finish(2)
    with django_assert_max_num_queries(7):
        assert api.get(reverse("api:results")).json()["count"] == 2
    finish(30)
    with django_assert_max_num_queries(7):
        assert api.get(reverse("api:results"), {"page_size": 100}).json()["count"] == 32
    with django_assert_max_num_queries(6):
        assert api.get(reverse("api:results"), {"format": "csv"}).status_code == 200


def test_objective_results_are_the_cohort_views(api, question):
    answered(question)
    today = timezone.localdate().isoformat()

    response = api.get(reverse("api:results-objectives"), {"start": today, "end": today})

    assert response.status_code == 200
    first = response.json()[0]
    assert first == {
        "objective": "1.3",
        "name": question.topic.name,
        "block": 1,
        "responses": 1,
        "correct": 0,
        "share_correct": 0.0,
    }
    assert len(api.get(reverse("api:results-objectives")).json()) == Topic.objects.count()


def test_objective_results_refuse_a_reversed_range(api, syllabus):
    params = {"start": "2024-02-02", "end": "2024-02-01"}
    error = assert_envelope(api.get(reverse("api:results-objectives"), params), 400)
    assert "on or before" in error["message"]
    assert_envelope(api.get(reverse("api:results-objectives"), {"start": "soon"}), 400)


def test_answers_and_sessions_untouched_by_reads(api, question):
    answered(question)
    counts = (Answer.objects.count(), ExamSession.objects.count())
    for name in ("api:questions", "api:results", "api:results-objectives", "api:questions-export"):
        assert api.get(reverse(name)).status_code == 200
    assert (Answer.objects.count(), ExamSession.objects.count()) == counts


def test_results_list_practice_sessions_too(api, user, question):
    """A practice session has no exam: found by schemathesis as a 500 on /results/."""
    from exams import drawing, services

    practice = services.start_practice(user=user, choice=drawing.PracticeChoice(count=1))
    services.finish_attempt(attempt=practice)
    (row,) = api.get("/api/v1/results/").json()["results"]
    assert (row["id"], row["exam"], row["exam_title"], row["max_score"]) == (
        practice.pk,
        None,
        None,
        1000,
    )
    assert "practice" in api.get("/api/v1/results/?format=csv").content.decode()


@pytest.mark.parametrize("path", ["/api/v1/questions/", "/api/v1/results/"])
@pytest.mark.parametrize("value", ["1.1281494820998634e+22", str(2**70), "-1e61", "x"])
def test_an_id_filter_too_big_for_the_database_is_a_400(api, question, path, value):
    """Found by schemathesis: such a value overflowed SQLite's integer, a 500."""
    assert_envelope(api.get(path, {"exam": value}), 400)
