"""The learner's own answer beside the key, for every kind, on the score report and in
practice feedback (templates/exams/_feedback.html, exams/report_answers.py), and the font
rule for options (prose in the text font, code in the code font)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from exams import services
from exams.drawing import PracticeChoice
from exams.models import Exam, ExamSession, Question
from exams.report_answers import option_is_code, option_markup
from exams.tests.factories import AnswerFactory, ExamFactory, make_question

KINDS = ("single", "multiple", "order", "gap", "tiles", "insert", "lines")


# --- the font rule ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "verify_mode"),
    [
        ("It prints nothing", "output"),
        ("A SyntaxError is raised", "output"),
        ("The code raises a ValueError", "output"),
        ("Nothing is printed", "output"),
        ("Semantics", "none"),
        ("Global variables", "none"),
        ("None, if all three conditions are false", "none"),
        ("The body of the `if` is skipped", "none"),
        ("amount and rate are parameters", "none"),
    ],
)
def test_prose_options_take_the_text_font(text, verify_mode):
    assert option_is_code(kind="single", text=text, verify_mode=verify_mode) is False


@pytest.mark.parametrize(
    ("text", "verify_mode"),
    [
        ("print(x[1:])", "none"),
        ("3.0", "none"),
        ("['a', 'b']", "none"),
        ("BaseException", "none"),
        ("totalPrice", "none"),
        ("except ZeroDivisionError:", "none"),
        ("not", "none"),
        ("`x + 1`", "none"),
        ("positive negative", "output"),  # a printed output, shown as printed
        ("True False True", "output"),
        ("Kayak", "output"),
        ("s.isalpha()", "expressions"),
        ("for i in range(3):\n    print(i)", "runs"),
    ],
)
def test_code_options_take_the_code_font(text, verify_mode):
    assert option_is_code(kind="single", text=text, verify_mode=verify_mode) is True


@pytest.mark.parametrize("kind", ["insert", "lines", "gap", "tiles"])
def test_options_of_code_kinds_are_code_even_when_they_read_as_sentences(kind):
    assert option_is_code(kind=kind, text="It prints nothing at all", verify_mode="none")


def test_prose_markup_uses_the_text_font_with_backticked_words_as_code():
    markup = option_markup("The `else` block runs <b>", is_code=False)
    assert markup == (
        '<span class="option-text prose">The <code>else</code> block runs &lt;b&gt;</span>'
    )


def test_code_markup_is_escaped_code_and_drops_wrapping_backticks():
    assert option_markup("`a < b`", is_code=True) == '<code class="option-text">a &lt; b</code>'
    assert option_markup("print('<i>')", is_code=True) == (
        '<code class="option-text">print(&#x27;&lt;i&gt;&#x27;)</code>'
    )


# --- helpers ----------------------------------------------------------------------------------


def _exam(kinds=KINDS) -> Exam:
    exam = ExamFactory(title="One of each kind", kind=Exam.Kind.FIXED)
    for order, kind in enumerate(kinds, start=1):
        extra = {"correct": 2, "options": 4} if kind == "multiple" else {}
        make_question(kind=kind, exam=exam, question_order=order, **extra)
    return exam


def _answers(question: Question) -> dict[str, int]:
    return {answer.text: answer.pk for answer in question.answers.all()}


def _answer_partly_wrong(attempt: ExamSession, item) -> None:
    """Each kind answered with a mistake the report must show."""
    question = item.question
    ids = _answers(question)
    kind = question.kind
    record = {"attempt": attempt, "question_id": question.pk}
    if kind == "single":
        services.record_answer(**record, choice_ids=[ids["Option B"]])
    elif kind == "multiple":
        services.record_answer(**record, choice_ids=[ids["Option A"], ids["Option C"]])
    elif kind == "order":
        # Lines 1 and 2 swapped, 3 and 4 in place.
        order = [ids["print(2)"], ids["print(1)"], ids["print(3)"], ids["print(4)"]]
        services.record_answer(**record, order_ids=order)
    elif kind == "gap":
        services.record_answer(**record, gap_texts=["7", "+"])
    elif kind == "tiles":
        services.record_answer(**record, gap_texts=["list", "*"])
    elif kind == "insert":
        services.record_answer(**record, choice_ids=[ids["total = n"]])
    elif kind == "lines":
        services.record_answer(**record, choice_ids=[ids["2"], ids["3"]])


def _finished_attempt(user, exam: Exam, *, blank=()) -> ExamSession:
    attempt = services.start_attempt(user=user, exam=exam)
    for item in attempt.responses.select_related("question"):
        if item.question.kind not in blank:
            _answer_partly_wrong(attempt, item)
    return services.finish_attempt(attempt=attempt)


def _report(client, attempt: ExamSession, query: str = "") -> str:
    response = client.get(reverse("exams:report", args=[attempt.pk]) + query)
    assert response.status_code == 200
    return response.content.decode()


def _item_html(page: str, position: int) -> str:
    """One review item's article of the report page."""
    articles = re.findall(r'<article class="review-item">.*?</article>', page, flags=re.S)
    match = [article for article in articles if f"<h3>Item {position} " in article]
    assert len(match) == 1, f"item {position} is not on the page"
    return match[0]


def _text(html: str) -> str:
    """The HTML's text with tags dropped and white space collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def learner(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def report_page(learner, user) -> str:
    return _report(learner, _finished_attempt(user, _exam()))


# --- the report, kind by kind ----------------------------------------------------------------


@pytest.mark.django_db
def test_order_shows_the_learners_order_with_swapped_lines_marked_misplaced(report_page):
    item = _item_html(report_page, KINDS.index("order") + 1)
    given = item[item.index("Your order") : item.index("The right order")]
    text = _text(given)
    assert text.index("print(2)") < text.index("print(1)")  # their order, not the key's
    assert "print(2) misplaced — belongs at position 2" in text
    assert "print(1) misplaced — belongs at position 1" in text
    assert "print(3) in the right place" in text
    assert "print(4) in the right place" in text
    assert given.count('class="mark wrong"') == 2
    assert given.count('class="mark right"') == 2


@pytest.mark.django_db
def test_gap_shows_the_typed_text_and_the_accepted_ones(report_page):
    item = _item_html(report_page, KINDS.index("gap") + 1)
    text = _text(item)
    assert "Gap 1 : you wrote 7 wrong — accepted 5" in text
    assert "Gap 2 : you wrote + right — accepted +" in text


@pytest.mark.django_db
def test_gap_with_several_accepted_texts_lists_them_all(learner, user):
    exam = _exam(kinds=("gap",))
    AnswerFactory(
        question=exam.questions.get(), text="2 + 3", is_correct=True, gap_number=1, answer_order=3
    )
    item = _item_html(_report(learner, _finished_attempt(user, exam)), 1)
    assert "accepted 5 , 2 + 3" in _text(item)


@pytest.mark.django_db
def test_tiles_show_the_tile_placed_beside_the_right_one(report_page):
    item = _item_html(report_page, KINDS.index("tiles") + 1)
    text = _text(item)
    assert "Gap 1 : you placed list wrong — right tile range" in text
    assert "Gap 2 : you placed * right — right tile *" in text
    assert "list you placed it" in text  # the spare tile that was used


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "wrong_choice", "right_choice"),
    [
        ("single", "Option B", None),
        ("insert", "total = n", None),
        ("multiple", "Option C", "Option A"),
    ],
)
def test_choice_kinds_mark_the_learners_choices_and_the_key(
    report_page, kind, wrong_choice, right_choice
):
    item = _item_html(report_page, KINDS.index(kind) + 1)
    rows = re.findall(r"<li class=\"[^\"]*\">.*?</li>", item, flags=re.S)
    by_text = {_text(row).split(" correct answer")[0].split(" your choice")[0]: row for row in rows}
    wrong = by_text[wrong_choice]
    assert 'class="badge mine wrong">your choice' in wrong
    assert "correct answer" not in wrong
    keyed = [row for row in rows if "correct answer" in row]
    assert keyed, "the key is marked"
    if right_choice:
        assert 'class="badge mine right">your choice' in by_text[right_choice]


@pytest.mark.django_db
def test_choice_options_are_reviewed_in_the_order_the_attempt_showed_them(learner, user):
    attempt = services.start_attempt(user=user, exam=_exam(kinds=("single",)))
    item = attempt.responses.select_related("question").get()
    shown = list(reversed(sorted(_answers(item.question).values())))
    item.response_data = {**item.response_data, "option_order": shown}
    item.save(update_fields=["response_data"])
    services.finish_attempt(attempt=attempt)
    text = _text(_item_html(_report(learner, attempt), 1))
    positions = [text.index(f"Option {letter}") for letter in "DCBA"]
    assert positions == sorted(positions)


@pytest.mark.django_db
def test_lines_show_the_lines_chosen_and_the_right_lines(report_page):
    item = _item_html(report_page, KINDS.index("lines") + 1)
    text = _text(item)
    assert "Line 2 correct answer your choice print(items[3])" in text
    assert "Line 3 your choice print(items[-3])" in text
    assert 'Line 4 correct answer print(int("3.0"))' in text.replace("&quot;", '"')
    assert item.count('class="badge mine wrong"') == 1


@pytest.mark.django_db
def test_an_option_and_its_explanation_are_separate_blocks(learner, user):
    exam = _exam(kinds=("order", "single"))
    for answer in exam.questions.get(kind="order").answers.all():
        answer.explanation = f"Why {answer.text} goes there."
        answer.save(update_fields=["explanation"])
    page = _report(learner, _finished_attempt(user, exam))
    assert re.search(
        r'<div class="option-block"><code class="option-text">print\(1\)</code></div>\s*'
        r'<div class="explanation"><p>Why print\(1\) goes there.</p></div>',
        page,
    )


@pytest.mark.django_db
def test_blank_items_say_so_for_every_kind(learner, user):
    page = _report(learner, _finished_attempt(user, _exam(), blank=KINDS))
    for kind, words in [
        ("single", "You chose nothing."),
        ("multiple", "You chose nothing."),
        ("insert", "You chose nothing."),
        ("lines", "You chose nothing."),
        ("order", "Your order Not answered."),
        ("gap", "Gap 1 : you left it empty wrong"),
        ("tiles", "Gap 1 : you placed nothing wrong"),
    ]:
        assert words in _text(_item_html(page, KINDS.index(kind) + 1)), kind


@pytest.mark.django_db
def test_prose_and_code_options_get_their_fonts_on_the_report_and_the_item_page(learner, user):
    exam = ExamFactory(title="Fonts", kind=Exam.Kind.FIXED)
    question = make_question(kind="single", exam=exam, verify_mode="output", options=2)
    prose, code = question.answers.order_by("answer_order")
    prose.text = "The code raises a ValueError"
    prose.save(update_fields=["text"])
    code.text = "['a', 'b']"
    code.save(update_fields=["text"])
    attempt = services.start_attempt(user=user, exam=exam)
    item_page = learner.get(reverse("exams:item", args=[attempt.pk, 1])).content.decode()
    services.finish_attempt(attempt=attempt)
    report = _report(learner, attempt)
    for page in (item_page, report):
        assert '<span class="option-text prose">The code raises a ValueError</span>' in page
        assert '<code class="option-text">[&#x27;a&#x27;, &#x27;b&#x27;]</code>' in page


# --- only what I got wrong, queries, practice -----------------------------------------------


@pytest.mark.django_db
def test_only_wrong_keeps_the_own_answers_and_drops_right_items(learner, user):
    exam = _exam(kinds=("single", "order"))
    attempt = services.start_attempt(user=user, exam=exam)
    for item in attempt.responses.select_related("question"):
        if item.question.kind == "single":
            services.record_answer(
                attempt=attempt,
                question_id=item.question_id,
                choice_ids=[_answers(item.question)["Option A"]],
            )
        else:
            _answer_partly_wrong(attempt, item)
    services.finish_attempt(attempt=attempt)
    page = _report(learner, attempt, "?only=wrong")
    assert "What I got wrong (1)" in page
    assert "misplaced — belongs at position 2" in page
    assert page.count('<article class="review-item">') == 1


@pytest.mark.django_db
def test_report_queries_do_not_grow_with_the_items(learner, user):
    def queries(kinds) -> int:
        attempt = _finished_attempt(user, _exam(kinds=kinds))
        with CaptureQueriesContext(connection) as captured:
            _report(learner, attempt)
        return len(captured)

    few = queries(KINDS)
    many = queries(KINDS * 3)
    assert many == few
    assert few <= 9


@pytest.mark.django_db
def test_practice_feedback_shows_the_own_answer_right_after_answering(learner, user):
    question = make_question(kind="order")
    attempt = services.start_practice(
        user=user, choice=PracticeChoice(topic=question.topic, count=1)
    )
    ids = _answers(question)
    response = learner.post(
        reverse("exams:answer", args=[attempt.pk, 1]),
        {
            "question": question.pk,
            "order": [ids["print(2)"], ids["print(1)"], ids["print(3)"], ids["print(4)"]],
        },
        HTTP_ACCEPT="application/json",
    )
    feedback = _text(response.json()["feedback_html"])
    assert "print(2) misplaced — belongs at position 2" in feedback
    assert "print(3) in the right place" in feedback
