"""The bundled bank meets the promised minimums, so it cannot quietly shrink."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from exams.bank import (
    KINDS,
    MINIMUM_PER_OBJECTIVE,
    MINIMUM_TOTAL,
    bank_coverage,
    coverage_table,
    expected_points,
    points_rule_failures,
    unexplained_items,
)
from exams.content.importing import import_content
from exams.models import Exam, Question
from exams.services import draw_questions
from exams.tests.factories import (
    AnswerFactory,
    ExamSessionFactory,
    ModuleFactory,
    QuestionFactory,
    TopicFactory,
    UserResponseFactory,
    make_question,
)

BANK_FILES = sorted((Path(settings.BASE_DIR) / "content" / "questions").glob("*.yaml"))


@pytest.fixture
def bundled_bank(syllabus, remembered_verdicts):
    report = import_content(paths=BANK_FILES)
    assert report.ok, [str(problem) for problem in report.problems]
    return report


@pytest.mark.django_db
def test_bundled_bank_imports_cleanly_and_meets_every_minimum(bundled_bank):
    coverage = bank_coverage(syllabus_code="PCEP-30-02")
    assert coverage.failures == []
    assert coverage.total >= MINIMUM_TOTAL
    assert len(coverage.by_objective) == 15
    assert all(
        sum(counts[kind] for kind in KINDS) >= MINIMUM_PER_OBJECTIVE
        for counts in coverage.by_objective.values()
    )


@pytest.mark.django_db
def test_bank_report_check_fails_when_the_bank_shrinks(bundled_bank):
    Question.objects.filter(topic__code="1.1").update(is_active=False)
    with pytest.raises(Exception, match="minimum"):
        call_command("bank_report", "--check")


@pytest.mark.django_db
def test_four_mock_exams_can_be_drawn_without_repeating_an_item(bundled_bank, user):
    mock = Exam.objects.get(kind=Exam.Kind.MOCK, code="PCEP-30-02")
    drawn: set[int] = set()
    for _ in range(4):
        question_ids = draw_questions(exam=mock, user=user)
        assert len(question_ids) == 30
        drawn.update(question_ids)
        # Mark them seen, as a finished attempt would, so the next draw prefers others.
        attempt = ExamSessionFactory(user=user, exam=mock)
        for position, question_id in enumerate(question_ids, start=1):
            UserResponseFactory(session=attempt, question_id=question_id, position=position)
    assert len(drawn) == 120


@pytest.mark.django_db
def test_bundled_items_explain_every_answer(bundled_bank):
    questions = Question.objects.prefetch_related("answers")
    assert all(question.explanation.strip() for question in questions)
    assert all(answer.explanation.strip() for q in questions for answer in q.answers.all())


# The checks themselves, on small factory-built banks (independent of the bundled content).


@pytest.mark.parametrize(
    ("kind", "size", "points"),
    [
        ("single", {"options": 4}, 20),
        ("single", {"options": 5}, 30),
        ("insert", {"options": 4}, 20),
        ("insert", {"options": 6}, 30),
        ("multiple", {"choose": 2}, 30),
        ("multiple", {"choose": 3}, 40),
        ("lines", {"choose": 2}, 30),
        ("lines", {"choose": 4}, 40),
        ("gap", {"gaps": 1}, 20),
        ("gap", {"gaps": 2}, 30),
        ("gap", {"gaps": 3}, 40),
        ("tiles", {"gaps": 1}, 20),
        ("tiles", {"gaps": 2}, 30),
        ("tiles", {"gaps": 5}, 40),
        ("order", {"options": 4}, 30),
        ("order", {"options": 5}, 40),
    ],
)
def test_expected_points_follows_the_documented_rule(kind, size, points):
    assert expected_points(kind=kind, **size) == points


def test_expected_points_refuses_an_unknown_kind():
    with pytest.raises(ValueError, match="unknown"):
        expected_points(kind="essay")


@pytest.mark.django_db
def test_points_rule_lists_each_item_that_breaks_it():
    right = make_question(original_id="q-right", points=20)
    wrong = make_question(original_id="q-wrong", options=5, points=20)
    multiple = make_question(kind="multiple", correct=3, options=5, original_id="q-m", points=30)
    gap = make_question(kind="gap", original_id="q-gap", points=30)
    tiles = QuestionFactory(kind="tiles", original_id="q-tiles", points=20)
    AnswerFactory(question=tiles, text="+", is_correct=True, gap_number=1)
    AnswerFactory(question=tiles, text="-", is_correct=True, gap_number=2)
    AnswerFactory(question=tiles, text="*")
    failures = points_rule_failures([right, wrong, multiple, gap, tiles])
    assert [failure.split(":")[1].split()[0] for failure in failures] == [
        "q-wrong",
        "q-m",
        "q-tiles",
    ]
    assert "its kind (single) and size give 30" in failures[0]


@pytest.mark.django_db
def test_unexplained_items_names_items_without_an_explanation_anywhere():
    explained = make_question(original_id="q-ok")
    bare = make_question(original_id="q-bare", explanation="  ")
    option = make_question(original_id="q-option")
    option.answers.filter(answer_order=2).update(explanation="")
    assert unexplained_items([explained, bare, option]) == ["q-bare", "q-option"]


def _small_bank(*, interactive: int, single: int, weights=(60, 40)) -> list:
    """Two blocks, one objective each; `single` + `interactive` items split over the two."""
    topics = [
        TopicFactory(module=ModuleFactory(number=number, weight_percent=weight))
        for number, weight in enumerate(weights, start=1)
    ]
    questions = []
    for index in range(single):
        questions.append(make_question(topic=topics[index % 2], difficulty=index % 5 + 1))
    for index in range(interactive):
        questions.append(
            make_question(
                kind="gap",
                topic=topics[index % 2],
                difficulty=index % 5 + 1,
                points=30,
                code_snippet=f"x = {{{{1}}}}\nprint(x {{{{2}}}} {index})\n",
            )
        )
    return questions


@pytest.mark.django_db
def test_coverage_counts_interactive_kinds_and_checks_their_share():
    _small_bank(interactive=3, single=7)
    coverage = bank_coverage()
    assert coverage.interactive == 3
    assert any(failure.startswith("interactive items") for failure in coverage.failures)
    assert any("30.0%; 35% needed" in failure for failure in coverage.failures)


@pytest.mark.django_db
def test_block_share_is_checked_against_the_actual_total_within_one_point():
    # Block 1 weighs 60%: with 5 of 10 items (50%) it is under 59%; block 2 (40%) is not.
    _small_bank(interactive=4, single=6)
    failures = bank_coverage().failures
    block_failures = [failure for failure in failures if failure.startswith("block ")]
    assert len(block_failures) == 1
    assert block_failures[0].startswith("block 1 has 5 items (50.0%); at least 59% of the bank")


@pytest.mark.django_db
def test_a_block_one_point_under_its_weight_passes():
    # 59 of 100 items in a 60% block is within the tolerance; 39 of 100 in a 40% block too.
    topics = [
        TopicFactory(module=ModuleFactory(number=number, weight_percent=weight))
        for number, weight in ((1, 60), (2, 40))
    ]
    for index in range(59):
        make_question(topic=topics[0], difficulty=index % 3 + 1)
    for index in range(41):
        make_question(topic=topics[1], difficulty=index % 3 + 1)
    assert not [f for f in bank_coverage().failures if f.startswith("block ")]


@pytest.mark.django_db
def test_check_lists_points_unexplained_and_small_objectives():
    _small_bank(interactive=4, single=6)
    make_question(original_id="q-costly", points=40)
    make_question(original_id="q-silent", explanation="")
    failures = bank_coverage().failures
    assert any(f.startswith("points rule: q-costly has 40 points") for f in failures)
    assert any(f.startswith("unexplained") and "q-silent" in f for f in failures)
    assert any(f.startswith("the bank has 12 items") for f in failures)
    assert any("items; 20 needed" in f for f in failures)


@pytest.mark.django_db
def test_the_table_has_a_column_for_every_kind():
    _small_bank(interactive=4, single=6)
    lines = coverage_table(bank_coverage())
    assert lines[0].split()[: 2 + len(KINDS)] == ["obj", "items", *KINDS]
    interactive = "interactive (order, gap, tiles, insert, lines): 4 of 10"
    assert any(line.startswith(interactive) for line in lines)
    assert any(line.startswith("near-duplicates: 0; points rule broken: 0") for line in lines)
