"""The readiness API: the Progress page's figures for other systems, read by the same selectors."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from progress.selectors import MIN_ANSWERS_FOR_READINESS
from progress.tests.test_readiness import mock_exam, take  # noqa: F401 (a fixture)

URL = "/api/v1/progress/readiness/"


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db
def test_without_answers_there_is_no_prediction_but_a_plan(user, mock_exam):  # noqa: F811
    data = api_for(user).get(URL).json()

    assert data["exam"] == mock_exam.title
    assert data["answers"] == 0
    assert data["prediction"] is None
    assert data["min_answers"] == MIN_ANSWERS_FOR_READINESS
    assert {row["estimate"] for row in data["mastery"]} == {None}
    assert len(data["mastery"]) == 15
    assert len(data["practise_next"]) == 3
    assert data["reviews_due"] == 0


@pytest.mark.django_db
def test_with_enough_answers_it_gives_the_pages_prediction_and_ranges(
    user,
    mock_exam,  # noqa: F811
    client,
):
    for _ in range(2):
        take(mock_exam, user)

    data = api_for(user).get(URL).json()

    assert data["answers"] == 32 and data["days"] == 1
    prediction = data["prediction"]
    assert prediction["low"] <= prediction["score"] <= prediction["high"] <= 1000
    assert prediction["pass_probability"] > 0.5
    practised = [row for row in data["mastery"] if row["answered"]]
    assert practised and all(row["low"] < row["estimate"] < row["high"] for row in practised)
    client.force_login(user)
    page = client.get("/progress/").content.decode()
    assert f"<strong>{prediction['score']}</strong> / 1000" in page


@pytest.mark.django_db
def test_its_queries_do_not_grow_with_the_history(
    user,
    mock_exam,  # noqa: F811
    django_assert_num_queries,
):
    for _ in range(2):  # enough for a prediction, which reads the bank once
        take(mock_exam, user)
    client = api_for(user)

    with CaptureQueriesContext(connection) as short:
        assert client.get(URL).status_code == 200
    for _ in range(3):
        take(mock_exam, user, right=False)

    with django_assert_num_queries(len(short)):
        assert client.get(URL).status_code == 200


def test_it_needs_a_login(db):
    assert APIClient().get(URL).status_code in (401, 403)
