"""The learner REST API: access, the whole exam and practice flow, batches, keys, queries."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services import issue_api_token, revoke_api_token
from accounts.tests.factories import UserFactory
from exams.models import ExamSession, Question, UserResponse
from exams.tests.conftest import SECRET

API = "/api/v1"


@pytest.fixture(autouse=True)
def fresh_throttles():
    cache.clear()  # throttle counters live in the cache
    yield
    cache.clear()


def token_client(user) -> APIClient:
    _, key = issue_api_token(user=user, name="tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@pytest.fixture
def api(user) -> APIClient:
    return token_client(user)


def correct_body(item: UserResponse) -> dict:
    question = item.question
    answers = sorted(question.answers.all(), key=lambda answer: (answer.answer_order, answer.pk))
    if question.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
        return {"choices": [answer.pk for answer in answers if answer.is_correct]}
    if question.kind == Question.Kind.ORDER:
        return {"order": [answer.pk for answer in answers]}
    return {"gaps": [answer.text for answer in sorted(answers, key=lambda a: a.gap_number)]}


def assert_no_keys(body: str) -> None:
    assert SECRET not in body
    assert "is_correct" not in body
    assert "explanation" not in body


def start_mock(api, mock_exam) -> dict:
    response = api.post(f"{API}/attempts/", {"exam": mock_exam.pk}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def snapshot(attempt_id: int) -> list[tuple]:
    return list(
        UserResponse.objects.filter(session_id=attempt_id)
        .order_by("position")
        .values_list("response_data", "is_skipped", "is_bookmarked", "answered_at")
    )


# --- authentication -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/syllabus/"),
        ("get", "/exams/"),
        ("get", "/attempts/"),
        ("post", "/attempts/"),
        ("post", "/attempts/practice/"),
        ("get", "/attempts/1/"),
        ("put", "/attempts/1/items/1/answer/"),
        ("put", "/attempts/1/items/1/flag/"),
        ("post", "/attempts/1/answers/"),
        ("post", "/attempts/1/finish/"),
        ("get", "/attempts/1/report/"),
        ("get", "/progress/"),
        ("get", "/me/"),
        ("get", "/tokens/"),
    ],
)
def test_anonymous_requests_get_401_with_a_bearer_challenge(method, path):
    response = getattr(APIClient(), method)(f"{API}{path}", {}, format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json()["error"]["code"] == "not_authenticated"


def test_a_revoked_or_unknown_token_is_refused(user):
    token, key = issue_api_token(user=user, name="laptop")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get(f"{API}/me/").json()["username"] == user.username
    revoke_api_token(token=token)
    response = client.get(f"{API}/me/")
    assert response.status_code == 401
    assert "revoked" in response.json()["error"]["message"]
    client.credentials(HTTP_AUTHORIZATION="Bearer pcep_not-a-real-token")
    assert client.get(f"{API}/me/").status_code == 401


def test_the_session_works_with_csrf_and_refuses_a_post_without_it(user, mock_exam):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.get(f"{API}/exams/").status_code == 200
    response = client.post(f"{API}/attempts/", {"exam": mock_exam.pk}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]["message"]
    assert not ExamSession.objects.exists()


def test_too_many_requests_get_429_with_retry_after(api, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "token", "3/minute")
    statuses = [api.get(f"{API}/me/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = api.get(f"{API}/me/")
    assert int(response["Retry-After"]) > 0
    assert response.json()["error"]["code"] == "throttled"


def test_each_token_has_its_own_budget(user, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "token", "2/minute")
    first, second = token_client(user), token_client(user)
    assert [first.get(f"{API}/me/").status_code for _ in range(3)] == [200, 200, 429]
    assert second.get(f"{API}/me/").status_code == 200


# --- syllabus and exams ---------------------------------------------------------------------


def test_syllabus_lists_blocks_and_objectives(api, syllabus):
    body = api.get(f"{API}/syllabus/").json()
    assert body["code"] == syllabus.code
    assert [block["number"] for block in body["blocks"]] == [1, 2, 3, 4]
    assert sum(len(block["objectives"]) for block in body["blocks"]) == 15
    assert body["blocks"][0]["objectives"][0]["code"] == "1.1"


def test_exams_list_the_offered_mock_exam_with_its_blueprint(api, mock_exam):
    body = api.get(f"{API}/exams/").json()
    assert body["count"] == 1
    (exam,) = body["results"]
    assert (exam["id"], exam["time_limit_minutes"], exam["pass_percent"]) == (
        mock_exam.pk,
        40,
        70,
    )
    assert exam["blueprint"] == mock_exam.blueprint


def test_read_endpoints_answer_if_none_match_with_304(api, syllabus):
    first = api.get(f"{API}/syllabus/")
    again = api.get(f"{API}/syllabus/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


# --- the exam flow ---------------------------------------------------------------------------


def test_starting_a_mock_exam_gives_30_items_without_keys_and_resumes(api, mock_exam):
    response = api.post(f"{API}/attempts/", {"exam": mock_exam.pk}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert len(body["items"]) == 30
    assert body["status"] == "in_progress"
    assert 2390 <= body["seconds_left"] <= 2400
    assert_no_keys(response.content.decode())
    item = body["items"][0]
    stored = UserResponse.objects.get(session_id=body["id"], position=1)
    if item["kind"] != "gap":
        assert [option["id"] for option in item["options"]] == stored.response_data["option_order"]
    again = api.post(f"{API}/attempts/", {"exam": mock_exam.pk}, format="json")
    assert (again.status_code, again.json()["id"]) == (200, body["id"])


def test_answer_put_saves_is_idempotent_and_refuses_bad_input(api, mock_exam):
    attempt = start_mock(api, mock_exam)
    item = UserResponse.objects.get(session_id=attempt["id"], position=1)
    url = f"{API}/attempts/{attempt['id']}/items/1/answer/"
    body = correct_body(item)
    first = api.put(url, body, format="json")
    assert first.status_code == 200, first.content
    assert first.json()["answered"] is True
    assert_no_keys(first.content.decode())
    saved = snapshot(attempt["id"])
    assert api.put(url, body, format="json").json()["answer"] == first.json()["answer"]
    assert [row[:3] for row in snapshot(attempt["id"])] == [row[:3] for row in saved]

    before = snapshot(attempt["id"])
    for bad in ({"choices": [10**9]}, {"order": [1, 1]}, {"gaps": ["x" * 500]}, {"choices": "x"}):
        response = api.put(url, bad, format="json")
        assert response.status_code == 400, bad
        assert set(response.json()["error"]) >= {"code", "message", "field"}
    assert snapshot(attempt["id"]) == before
    assert api.put(f"{API}/attempts/{attempt['id']}/items/31/answer/", body).status_code == 404


def test_flag_and_unflag(api, mock_exam):
    attempt = start_mock(api, mock_exam)
    url = f"{API}/attempts/{attempt['id']}/items/3/flag/"
    assert api.put(url, {"flagged": True}, format="json").json()["flagged"] is True
    assert UserResponse.objects.get(session_id=attempt["id"], position=3).is_bookmarked
    assert api.put(url, {"flagged": False}, format="json").json()["flagged"] is False
    assert api.put(url, {"flagged": "maybe"}, format="json").status_code == 400


def test_a_whole_exam_in_one_batch_then_finish_and_report(api, mock_exam):
    attempt = start_mock(api, mock_exam)
    items = UserResponse.objects.filter(session_id=attempt["id"]).select_related("question")
    answers = [{"position": item.position, **correct_body(item)} for item in items]
    response = api.post(
        f"{API}/attempts/{attempt['id']}/answers/", {"answers": answers}, format="json"
    )
    assert response.status_code == 200, response.content
    results = response.json()
    assert [result["saved"] for result in results] == [True] * 30
    assert_no_keys(response.content.decode())
    assert api.get(f"{API}/attempts/{attempt['id']}/report/").status_code == 409

    report = api.post(f"{API}/attempts/{attempt['id']}/finish/").json()
    stored = ExamSession.objects.get(pk=attempt["id"])
    assert (report["scaled_score"], report["passed"], report["max_score"]) == (1000, True, 1000)
    assert report["scaled_score"] == stored.scaled_score
    assert [block["percent"] for block in report["blocks"]] == [100, 100, 100, 100]
    assert all(item["feedback"]["is_correct"] for item in report["items"])
    assert SECRET in json.dumps(report)  # explanations come with the report
    assert api.get(f"{API}/attempts/{attempt['id']}/report/").json() == report
    late = api.put(f"{API}/attempts/{attempt['id']}/items/1/answer/", {"choices": []})
    assert (late.status_code, late.json()["error"]["code"]) == (409, "attempt_finished")


def test_a_batch_with_one_invalid_answer_saves_nothing_and_says_which(api, mock_exam):
    attempt = start_mock(api, mock_exam)
    items = list(UserResponse.objects.filter(session_id=attempt["id"]).select_related("question"))
    answers = [{"position": item.position, **correct_body(item)} for item in items[:5]]
    answers[3] = {"position": items[3].position, "choices": [10**9], "order": [], "gaps": []}
    before = snapshot(attempt["id"])
    response = api.post(
        f"{API}/attempts/{attempt['id']}/answers/", {"answers": answers}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["error"]["code"] == "batch_invalid"
    assert [result["saved"] for result in body["results"]] == [True, True, True, False, True]
    assert body["results"][3]["error"]["code"] == "attempt_rule"
    assert snapshot(attempt["id"]) == before


def test_a_batch_answer_given_after_the_deadline_is_refused_alone(api, mock_exam):
    attempt = start_mock(api, mock_exam)
    deadline = ExamSession.objects.get(pk=attempt["id"]).deadline
    items = list(UserResponse.objects.filter(session_id=attempt["id"]).select_related("question"))
    answers = [
        {"position": items[0].position, **correct_body(items[0])},
        {
            "position": items[1].position,
            **correct_body(items[1]),
            "answered_at": (deadline + timedelta(seconds=1)).isoformat(),
        },
    ]
    response = api.post(
        f"{API}/attempts/{attempt['id']}/answers/", {"answers": answers}, format="json"
    )
    assert response.status_code == 200
    first, second = response.json()
    assert (first["saved"], second["saved"]) == (True, False)
    assert second["error"]["code"] == "late_answer"
    assert not UserResponse.objects.get(pk=items[1].pk).answered_at


def test_a_batch_arriving_after_the_deadline_is_refused_and_the_exam_finished(api, mock_exam):
    attempt = start_mock(api, mock_exam)
    ExamSession.objects.filter(pk=attempt["id"]).update(
        deadline=timezone.now() - timedelta(minutes=1)
    )
    item = UserResponse.objects.select_related("question").get(session_id=attempt["id"], position=1)
    answers = [{"position": 1, **correct_body(item)}]
    response = api.post(
        f"{API}/attempts/{attempt['id']}/answers/", {"answers": answers}, format="json"
    )
    assert (response.status_code, response.json()["error"]["code"]) == (409, "attempt_finished")
    assert ExamSession.objects.get(pk=attempt["id"]).is_completed
    assert not UserResponse.objects.get(pk=item.pk).answered_at


@pytest.mark.parametrize(
    "answers",
    [
        [],
        [{"position": 99, "choices": [1]}],
        [{"position": 1, "choices": [1]}, {"position": 1, "choices": [1]}],
        "not a list",
    ],
)
def test_malformed_batches_are_400_and_change_nothing(api, mock_exam, answers):
    attempt = start_mock(api, mock_exam)
    before = snapshot(attempt["id"])
    response = api.post(
        f"{API}/attempts/{attempt['id']}/answers/", {"answers": answers}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["message"]
    assert snapshot(attempt["id"]) == before


def test_another_learners_attempt_is_404_everywhere_and_unchanged(api, mock_exam):
    owner = token_client(UserFactory())
    attempt = start_mock(owner, mock_exam)
    before = snapshot(attempt["id"])
    base = f"{API}/attempts/{attempt['id']}"
    for method, path, body in [
        ("get", "/", None),
        ("put", "/items/1/answer/", {"choices": []}),
        ("put", "/items/1/flag/", {"flagged": True}),
        ("post", "/answers/", {"answers": [{"position": 1, "choices": []}]}),
        ("post", "/finish/", None),
        ("get", "/report/", None),
    ]:
        response = getattr(api, method)(base + path, body, format="json")
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"
        assert SECRET not in response.content.decode()
    assert snapshot(attempt["id"]) == before
    assert not ExamSession.objects.get(pk=attempt["id"]).is_completed
    assert api.get(f"{API}/attempts/").json()["count"] == 0


@pytest.mark.parametrize(
    ("method", "path"),
    [("delete", "/attempts/"), ("get", "/attempts/1/answers/"), ("post", "/syllabus/"),
     ("get", "/attempts/1/finish/"), ("patch", "/attempts/1/items/1/answer/")],
)  # fmt: skip
def test_wrong_methods_get_405_with_the_envelope(api, method, path):
    response = getattr(api, method)(f"{API}{path}")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


# --- practice --------------------------------------------------------------------------------


def test_practice_shows_feedback_only_after_each_answer(api, bank):
    response = api.post(f"{API}/attempts/practice/", {"block": 2, "count": 3}, format="json")
    assert response.status_code == 201, response.content
    attempt = response.json()
    assert attempt["mode"] == "practice"
    assert_no_keys(json.dumps(attempt))
    item = UserResponse.objects.select_related("question").get(session_id=attempt["id"], position=1)
    answered = api.put(
        f"{API}/attempts/{attempt['id']}/items/1/answer/", correct_body(item), format="json"
    ).json()
    assert answered["feedback"]["is_correct"] is True
    assert SECRET in json.dumps(answered["feedback"])
    rest = api.get(f"{API}/attempts/{attempt['id']}/").json()["items"]
    assert rest[0]["feedback"] is not None
    assert_no_keys(json.dumps(rest[1:]))
    progress = {row["code"]: row for row in api.get(f"{API}/progress/").json()}
    assert progress[item.question.topic.code]["questions_attempted"] == 1


@pytest.mark.parametrize(
    "body",
    [{"objective": "9.9"}, {"block": 7}, {"count": 0}, {"count": 1000}, {"difficulty": 9}],
)
def test_practice_with_bad_choices_is_400_and_starts_nothing(api, bank, body):
    response = api.post(f"{API}/attempts/practice/", body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["field"] in body
    assert not ExamSession.objects.exists()


# --- keys never leak -------------------------------------------------------------------------


def test_no_learner_response_carries_a_key_before_the_exam_is_finished(api, mock_exam):
    """Walk every learner endpoint through a whole attempt and scan every body."""
    bodies = [api.get(f"{API}{path}").content for path in ("/syllabus/", "/exams/", "/progress/")]
    attempt = start_mock(api, mock_exam)
    base = f"{API}/attempts/{attempt['id']}"
    items = UserResponse.objects.filter(session_id=attempt["id"]).select_related("question")
    for item in items:
        url = f"{base}/items/{item.position}/answer/"
        bodies.append(api.put(url, correct_body(item), format="json").content)
        bodies.append(api.put(f"{base}/items/{item.position}/flag/", {"flagged": True}).content)
    wrong = [{"position": 1, "choices": [10**9]}]
    bodies.append(api.post(f"{base}/answers/", {"answers": wrong}, format="json").content)
    bodies += [api.get(f"{base}/").content, api.get(f"{base}/report/").content]
    bodies.append(api.get(f"{API}/attempts/").content)
    for body in bodies:
        assert_no_keys(body.decode())


# --- query counts ----------------------------------------------------------------------------


def queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code < 300, response.content
    return len(captured)


def test_query_counts_do_not_grow_with_items_or_attempts(api, user, mock_exam, bank):
    practice = api.post(f"{API}/attempts/practice/", {"count": 2}, format="json").json()
    exam = start_mock(api, mock_exam)
    short = queries(lambda: api.get(f"{API}/attempts/{practice['id']}/"))
    long = queries(lambda: api.get(f"{API}/attempts/{exam['id']}/"))
    assert short == long <= 12

    item = UserResponse.objects.select_related("question").get(session_id=exam["id"], position=1)
    url = f"{API}/attempts/{exam['id']}/items/1/answer/"
    assert queries(lambda: api.put(url, correct_body(item), format="json")) <= 16

    few = queries(lambda: api.get(f"{API}/attempts/"))
    for _ in range(50):
        ExamSession.objects.create(user=user, mode=ExamSession.Mode.PRACTICE)
    assert queries(lambda: api.get(f"{API}/attempts/?page_size=100")) == few


def test_batch_save_queries_grow_with_the_batch_not_the_bank(api, mock_exam):
    attempt = start_mock(api, mock_exam)
    items = list(UserResponse.objects.filter(session_id=attempt["id"]).select_related("question"))
    answers = [{"position": item.position, **correct_body(item)} for item in items]
    url = f"{API}/attempts/{attempt['id']}/answers/"
    count = queries(lambda: api.post(url, {"answers": answers}, format="json"))
    assert count <= 4 * len(answers) + 20


@pytest.mark.parametrize("path", ["/no-such-thing/", "/attempts/abc/", "/attempts/1/items/x/flag/"])
def test_unknown_api_urls_are_404_in_the_envelope_not_html(api, path):
    for method in ("get", "post"):
        response = getattr(api, method)(f"{API}{path}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


def test_a_practice_objective_never_practised_reads_as_zeros(api, syllabus):
    rows = api.get(f"{API}/progress/").json()
    assert len(rows) == 15
    assert rows[0] == {
        "code": "1.1", "name": rows[0]["name"], "block": 1, "questions_attempted": 0,
        "questions_correct": 0, "proficiency_level": 0.0, "average_time": 0.0,
        "last_practice_date": None,
    }  # fmt: skip


@pytest.mark.parametrize("path", ["/docs/", "/docs/redoc/"])
def test_api_docs_are_served_offline_from_the_app(client, path):
    """Swagger UI and Redoc come from the installed sidecar package, never a CDN."""
    html = client.get(f"{API}{path}").content.decode()
    assert "drf_spectacular_sidecar" in html
    assert not re.search(r"""(src|href)=["']https?://""", html)


def test_the_schema_is_public_and_names_every_learner_endpoint(client):
    schema = client.get(f"{API}/schema/", HTTP_ACCEPT="application/json").json()
    assert {"/api/v1/attempts/{attempt_id}/answers/", "/api/v1/syllabus/"} <= set(schema["paths"])
    assert "tokenAuth" in schema["components"]["securitySchemes"]
