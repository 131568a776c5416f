"""The batch save as static/js/attempt.js uses it after a dropped connection: the learner's
session, the CSRF token of the item page, and the batch URL the page names."""

import json
import re

import pytest
from django.test import Client

from accounts.tests.factories import UserFactory
from exams import services
from exams.models import UserResponse


def page_for(client: Client, attempt, position: int) -> tuple[str, str]:
    """The CSRF token and batch URL an item page gives its script."""
    html = client.get(f"/exams/attempts/{attempt.pk}/items/{position}/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    batch_url = re.search(r'data-batch-url="([^"]+)"', html).group(1)
    return token, batch_url


def choice_positions(attempt) -> list[int]:
    """Positions of the attempt's choice items (the draw mixes kinds in a random order)."""
    return list(
        UserResponse.objects.filter(session=attempt, question__kind__in=("single", "multiple"))
        .order_by("position")
        .values_list("position", flat=True)
    )


def first_option(attempt, position: int) -> int:
    item = UserResponse.objects.get(session=attempt, position=position)
    return item.question.answers.order_by("pk").first().pk


@pytest.fixture
def attempt(user, mock_exam):
    return services.start_attempt(user=user, exam=mock_exam)


@pytest.fixture
def learner(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_the_item_pages_token_lets_its_script_send_kept_answers_in_one_batch(learner, attempt):
    token, batch_url = page_for(learner, attempt, 1)
    first, second = choice_positions(attempt)[:2]
    body = {
        "answers": [
            {"position": first, "choices": [first_option(attempt, first)]},
            {"position": second, "choices": [first_option(attempt, second)]},
        ]
    }

    response = learner.post(
        batch_url, json.dumps(body), content_type="application/json", HTTP_X_CSRFTOKEN=token
    )

    assert batch_url == f"/api/v1/attempts/{attempt.pk}/answers/"
    assert response.status_code == 200
    assert [result["saved"] for result in response.json()] == [True, True]
    saved = UserResponse.objects.filter(session=attempt, is_skipped=False)
    assert sorted(saved.values_list("position", flat=True)) == [first, second]


def test_a_batch_posted_by_another_site_without_the_token_is_refused(learner, attempt):
    """A page elsewhere cannot use the learner's cookie to answer for them."""
    _, batch_url = page_for(learner, attempt, 1)
    position = choice_positions(attempt)[0]
    body = {"answers": [{"position": position, "choices": [first_option(attempt, position)]}]}

    response = learner.post(batch_url, json.dumps(body), content_type="application/json")

    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]["message"]
    assert not UserResponse.objects.filter(session=attempt, is_skipped=False).exists()


def test_another_learners_session_cannot_send_answers_to_this_attempt(attempt):
    intruder = Client(enforce_csrf_checks=True)
    intruder.force_login(UserFactory())
    home = intruder.get("/exams/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', home).group(1)
    position = choice_positions(attempt)[0]
    body = {"answers": [{"position": position, "choices": [first_option(attempt, position)]}]}

    response = intruder.post(
        f"/api/v1/attempts/{attempt.pk}/answers/",
        json.dumps(body),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )

    assert response.status_code == 404
    assert not UserResponse.objects.filter(session=attempt, is_skipped=False).exists()
