"""A tiny REST client doing what an LMS does with the API (plain `requests`, no Django).

Used by the end-to-end test (exams/tests/test_api_end_to_end.py) and the API benchmark
(bench/api_flow_bench.py), so both run exactly the same flow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import requests

API = "/api/v1"


class ApiError(Exception):
    def __init__(self, response: requests.Response) -> None:
        super().__init__(f"{response.request.method} {response.url}: {response.status_code} "
                         f"{response.text[:300]}")  # fmt: skip
        self.response = response


def token_by_logging_in(*, base_url: str, username: str, password: str, name: str) -> str:
    """Log in as a person would (the session, with CSRF), then create a personal API token."""
    session = requests.Session()
    login_page = session.get(f"{base_url}/accounts/login/", timeout=10)
    form_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page.text)
    response = session.post(
        f"{base_url}/accounts/login/",
        data={"username": username, "password": password,
              "csrfmiddlewaretoken": form_token.group(1)},
        headers={"Referer": f"{base_url}/accounts/login/"},
        timeout=10,
    )  # fmt: skip
    response.raise_for_status()
    created = session.post(
        f"{base_url}{API}/tokens/",
        json={"name": name},
        headers={"X-CSRFToken": session.cookies["csrftoken"], "Referer": base_url + "/"},
        timeout=10,
    )
    if created.status_code != 201:
        raise ApiError(created)
    return created.json()["token"]


def some_answer(item: dict) -> dict:
    """An answer of the right shape for the item (the LMS's learner guesses)."""
    if item["kind"] == "gap":
        return {"gaps": ["x" for part in item["gap_parts"] if "gap" in part]}
    options = [option["id"] for option in item["options"]]
    if item["kind"] == "order":
        return {"order": options}
    return {"choices": options[: item["choose"] or 1]}


@dataclass
class LmsClient:
    base_url: str
    token: str

    def __post_init__(self) -> None:
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {self.token}"

    def call(self, method: str, path: str, **kwargs) -> dict | list:
        response = self.http.request(method, f"{self.base_url}{API}{path}", timeout=30, **kwargs)
        if response.status_code >= 300:
            raise ApiError(response)
        return response.json()

    def start_mock_exam(self) -> dict:
        (exam,) = self.call("GET", "/exams/")["results"][:1]
        return self.call("POST", "/attempts/", json={"exam": exam["id"]})

    def answer_all_in_one_batch(self, attempt: dict) -> list[dict]:
        answers = [{"position": item["position"], **some_answer(item)} for item in attempt["items"]]
        return self.call("POST", f"/attempts/{attempt['id']}/answers/", json={"answers": answers})

    def answer_item_by_item(self, attempt: dict) -> list[dict]:
        return [
            self.call(
                "PUT",
                f"/attempts/{attempt['id']}/items/{item['position']}/answer/",
                json=some_answer(item),
            )
            for item in attempt["items"]
        ]

    def finish(self, attempt: dict) -> dict:
        return self.call("POST", f"/attempts/{attempt['id']}/finish/")

    def report(self, attempt: dict) -> dict:
        return self.call("GET", f"/attempts/{attempt['id']}/report/")
