"""The home and Progress pages run a fixed number of queries whatever the learner's history."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from progress.tests.test_readiness import mock_exam, take  # noqa: F401 (a fixture)


def queries_of(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


# The pages' queries with a prediction, a plan and due reviews (the session, the learner,
# the syllabus, one read each of the evidence, the objectives, the mock exam and its bank
# shared by mastery, readiness and the plan, then each page's own). Before the reads were
# shared: 18 each.
QUERY_BUDGET = {"home": 13, "progress:overview": 11}


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["home", "progress:overview"])
def test_page_queries_do_not_grow_with_attempts(user, mock_exam, client, page):  # noqa: F811
    client.force_login(user)
    for _ in range(2):  # enough answers for a prediction, a plan and due reviews
        take(mock_exam, user, right=False)
    short = queries_of(client, reverse(page))
    assert short <= QUERY_BUDGET[page]
    html = client.get(reverse(page)).content.decode()
    assert "Chance of passing today" in html and "Practise next" in html

    for _ in range(6):
        take(mock_exam, user, right=False)

    assert queries_of(client, reverse(page)) == short
