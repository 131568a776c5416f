"""Gap and tiles items' code: highlighted like the other items' code, line by line, with the
inputs (or tile slots) where the gaps are; the API's gap_parts stay plain text."""

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.services import issue_api_token
from exams import services
from exams.content.rules import split_gaps
from exams.rendering import highlight_code, highlight_gap_lines
from exams.tests.factories import ExamFactory, make_question

TILES_CODE = 'for i in {{1}}(3):\n    print(i {{2}} 2, end=" ")\n'
SPAN_CLASSES = re.compile(r'<span class="([^"]+)">')


def _html(line: dict) -> str:
    return "".join(segment.get("html", "") for segment in line["segments"])


def test_lines_are_numbered_with_the_gaps_in_place_and_saved_texts_kept():
    lines = highlight_gap_lines(split_gaps(TILES_CODE, values=["range", "*"]))

    assert [line["number"] for line in lines] == [1, 2]  # no line for the final newline
    first = lines[0]["segments"]
    assert [list(segment) for segment in first] == [["html"], ["gap", "value"], ["html"]]
    assert first[0]["html"] == (
        '<span class="k">for</span> <span class="n">i</span> <span class="ow">in</span> '
    )
    assert first[1] == {"gap": 1, "value": "range"}
    assert lines[1]["segments"][1] == {"gap": 2, "value": "*"}
    assert _html(lines[1]).startswith('    <span class="nb">print</span>')


def test_text_beside_a_gap_inside_a_string_keeps_the_string_colour():
    lines = highlight_gap_lines(split_gaps('print("Hello, {{1}}!")\n'))

    before, gap, after = lines[0]["segments"]
    assert gap == {"gap": 1, "value": ""}
    # Lexed as one program: the text after the gap is still inside the string.
    assert before["html"].endswith('<span class="s2">&quot;Hello, </span>')
    assert after["html"].startswith('<span class="s2">!&quot;</span>')


def test_code_text_is_escaped_and_blank_lines_keep_their_numbers():
    lines = highlight_gap_lines(split_gaps("x = 1 < {{1}}\n\nprint('<b>')\n"))

    assert [line["number"] for line in lines] == [1, 2, 3]
    assert lines[1]["segments"] == []
    assert "&lt;b&gt;" in _html(lines[2])
    assert "<b>" not in _html(lines[2])


def test_colours_are_the_classes_highlight_code_gives_the_same_code():
    code = 'def total(values):\n    """Sum."""\n    return sum(v * 2 for v in values)  # all\n'
    gap_classes = [
        css_class
        for line in highlight_gap_lines(split_gaps(code))
        for css_class in SPAN_CLASSES.findall(_html(line))
    ]
    pygments_classes = [
        css_class
        for css_class in SPAN_CLASSES.findall(highlight_code(code).split('<td class="code">')[1])
        if css_class != ""
    ]

    assert gap_classes == pygments_classes
    assert {"k", "nf", "sd", "nb", "c1"} <= set(gap_classes)


@pytest.fixture
def gap_attempt(user):
    exam = ExamFactory(title="Gaps and tiles")
    make_question(kind="gap", exam=exam, question_order=1)
    make_question(kind="tiles", exam=exam, question_order=2, code_snippet=TILES_CODE)
    attempt = services.start_attempt(user=user, exam=exam)
    gap = attempt.responses.get(position=1)
    services.record_answer(attempt=attempt, question_id=gap.question_id, gap_texts=["7", "-"])
    return attempt


def _item_page(client, attempt, position: int, django_assert_max_num_queries) -> str:
    with django_assert_max_num_queries(12):
        response = client.get(reverse("exams:item", args=[attempt.pk, position]))
    assert response.status_code == 200
    return response.content.decode()


def test_gap_item_page_shows_coloured_numbered_lines_with_inputs(
    client, user, gap_attempt, django_assert_max_num_queries
):
    client.force_login(user)
    page = _item_page(client, gap_attempt, 1, django_assert_max_num_queries)

    block = re.search(r'<div class="codehilite gap-code">(.*?)</div>', page, re.S).group(1)
    assert re.findall(r'<span class="linenos">(\d+)</span>', block) == ["1", "2"]
    # Line 1 "x = {{1}}": the name and the operator coloured, then the first gap's input.
    assert re.search(
        r'<span class="n">x</span> <span class="o">=</span> '
        r'<label class="visually-hidden" for="gap-1">Gap 1</label>'
        r'<input type="text" class="gap-input" id="gap-1" name="gap" value="7"',
        block,
    )
    assert '<span class="nb">print</span>' in block
    assert 'id="gap-2" name="gap" value="-"' in block
    assert "{{" not in block


def test_tiles_item_page_shows_coloured_numbered_lines_with_slots(
    client, user, gap_attempt, django_assert_max_num_queries
):
    client.force_login(user)
    page = _item_page(client, gap_attempt, 2, django_assert_max_num_queries)

    block = re.search(r'<div class="codehilite gap-code tiles-code"[^>]*>(.*?)</div>', page, re.S)
    lines = re.findall(r'<span class="gap-line">(.*?)</span></span>', block.group(1), re.S)
    assert len(lines) == 2
    assert lines[0].startswith('<span class="linenos">1</span><span class="gap-line-code">')
    assert '<span class="k">for</span>' in lines[0]
    assert 'class="tile-slot" data-gap="1"' in lines[0]
    assert 'class="tile-slot" data-gap="2"' in lines[1]


def test_api_gap_parts_stay_plain_text(user, gap_attempt):
    _, key = issue_api_token(user=user, name="tests")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

    body = api.get(f"/api/v1/attempts/{gap_attempt.pk}/").json()

    parts = next(item for item in body["items"] if item["kind"] == "gap")["gap_parts"]
    assert parts == [
        {"text": "x = "},
        {"gap": 1, "value": "7"},
        {"text": "\nprint(x "},
        {"gap": 2, "value": "-"},
        {"text": " 1)\n"},
    ]
