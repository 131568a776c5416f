"""Loading the PCEP-30-02 syllabus file, its management command, and the pages that show it."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from pytest_django.asserts import assertContains, assertNotContains

from exams.models import Exam, Module, Syllabus, Topic
from exams.syllabus import load_syllabus
from exams.tests.factories import PCEP_SYLLABUS_PATH

pytestmark = pytest.mark.django_db

# The official names use an en dash, which the page must show unchanged.
BLOCK_NAMES = [
    "Computer Programming and Python Fundamentals",
    "Control Flow \N{EN DASH} Conditional Blocks and Loops",
    "Data Collections \N{EN DASH} Tuples, Dictionaries, Lists, and Strings",
    "Functions and Exceptions",
]
OBJECTIVE_CODES = [
    "1.1", "1.2", "1.3", "1.4", "1.5",
    "2.1", "2.2",
    "3.1", "3.2", "3.3", "3.4",
    "4.1", "4.2", "4.3", "4.4",
]  # fmt: skip
# One syllabus, four blocks, fifteen objectives and one mock exam.
ROWS_PER_LOAD = 1 + 4 + 15 + 1
SYLLABUS_PAGE_URL = "https://pythoninstitute.org/pcep-exam-syllabus"


def _row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (Syllabus, Module, Topic, Exam)}


def test_loading_syllabus_creates_four_blocks_in_exam_order(syllabus):
    modules = list(Module.objects.filter(syllabus=syllabus))

    assert [module.name for module in modules] == BLOCK_NAMES
    assert [module.number for module in modules] == [1, 2, 3, 4]
    assert [module.exam_items for module in modules] == [7, 8, 7, 8]
    assert sum(module.weight_percent for module in modules) == 100


def test_loading_syllabus_creates_fifteen_objectives_1_1_to_4_4(syllabus):
    topics = Topic.objects.for_syllabus(syllabus.code)

    assert [topic.code for topic in topics] == OBJECTIVE_CODES
    assert all(topic.module.number == int(topic.code[0]) for topic in topics)
    assert topics.get(code="1.4").name == "Choose operators and data types adequate to the problem"


def test_loading_syllabus_creates_the_mock_exam_with_its_blueprint(syllabus):
    mock = Exam.objects.get(kind=Exam.Kind.MOCK, code="PCEP-30-02")

    assert mock.syllabus == syllabus
    assert mock.blueprint == {"1": 7, "2": 8, "3": 7, "4": 8}
    assert mock.time_limit == 2400
    assert mock.pass_percent == 70
    assert mock.max_score == 1000
    assert mock.total_questions == sum(mock.blueprint.values())
    assert mock in Exam.objects.offered()


def test_loading_syllabus_records_its_source_and_attribution(syllabus):
    assert syllabus.code == "PCEP-30-02"
    assert syllabus.source_url == SYLLABUS_PAGE_URL
    assert "Python Institute" in syllabus.attribution
    assert syllabus.facts["items"] == 30


def test_first_load_reports_every_row_created():
    result = load_syllabus(path=PCEP_SYLLABUS_PATH)

    assert (result.code, result.created, result.updated, result.unchanged) == (
        "PCEP-30-02",
        ROWS_PER_LOAD,
        0,
        0,
    )


def test_loading_syllabus_twice_creates_nothing_new(syllabus):
    counts_after_first_load = _row_counts()

    result = load_syllabus(path=PCEP_SYLLABUS_PATH)

    assert _row_counts() == counts_after_first_load
    assert counts_after_first_load == {"Syllabus": 1, "Module": 4, "Topic": 15, "Exam": 1}
    assert (result.created, result.updated, result.unchanged) == (0, 0, ROWS_PER_LOAD)


def test_reloading_syllabus_restores_an_edited_mock_exam(syllabus):
    Exam.objects.filter(kind=Exam.Kind.MOCK).update(time_limit=60, blueprint={"1": 30})

    result = load_syllabus(path=PCEP_SYLLABUS_PATH)

    mock = Exam.objects.get(kind=Exam.Kind.MOCK)
    assert (mock.time_limit, mock.blueprint) == (2400, {"1": 7, "2": 8, "3": 7, "4": 8})
    assert (result.created, result.updated) == (0, 1)


def test_load_syllabus_command_prints_counts():
    first_run, second_run = StringIO(), StringIO()

    call_command("load_syllabus", str(PCEP_SYLLABUS_PATH), stdout=first_run)
    call_command("load_syllabus", str(PCEP_SYLLABUS_PATH), stdout=second_run)

    assert (
        first_run.getvalue().strip()
        == f"PCEP-30-02: {ROWS_PER_LOAD} created, 0 updated, 0 unchanged"
    )
    assert second_run.getvalue().strip() == (
        f"PCEP-30-02: 0 created, 0 updated, {ROWS_PER_LOAD} unchanged"
    )
    assert Module.objects.count() == 4


def test_load_syllabus_command_rejects_a_file_without_blocks(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("exam:\n  code: PCEP-XX\n", encoding="utf-8")

    with pytest.raises(CommandError, match="'exam' and 'blocks'"):
        call_command("load_syllabus", str(broken), stdout=StringIO())

    assert not Syllabus.objects.exists()


def test_home_page_lists_the_four_blocks_and_links_the_official_syllabus(client, syllabus):
    response = client.get("/")

    assert response.status_code == 200
    for name in BLOCK_NAMES:
        assertContains(response, name)
    assertContains(response, f'href="{SYLLABUS_PAGE_URL}"')
    assertNotContains(response, "No syllabus is loaded yet")


def test_home_page_without_a_syllabus_says_how_to_load_one(client):
    response = client.get("/")

    assertContains(response, "No syllabus is loaded yet")
    assertNotContains(response, SYLLABUS_PAGE_URL)


def test_admin_login_page_is_served(client):
    response = client.get("/admin/login/")

    assert response.status_code == 200
    assertContains(response, 'name="password"')
