"""An instructor authors a question in the admin that a learner then meets in practice; the
question list shows item statistics. Real browser against the live server."""

import re

import pytest
from django.contrib.auth.models import Group, Permission
from playwright.sync_api import Page, expect

from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from exams import services
from exams.models import Answer, Exam, Question, Topic
from exams.tests.browser.conftest import screenshot_path
from exams.tests.factories import ExamFactory, load_pcep_syllabus, make_question

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT = 5_000
STEM = "What does the instructor's loop print?"
CODE = "for i in range(2):\n    print(i)"
# Mirrors accounts/migrations/0002_instructors_group.py for the parts this test needs.
INSTRUCTOR_PERMISSIONS = {
    "question": ("add", "change", "view"),
    "answer": ("add", "change", "delete", "view"),
    "exam": ("view",),
    "topic": ("view",),
}


def instructors_group() -> Group:
    """The migration's group; a transaction=True test may have flushed its rows."""
    group, created = Group.objects.get_or_create(name="Instructors")
    if created or not group.permissions.exists():
        codenames = [
            f"{action}_{model}"
            for model, actions in INSTRUCTOR_PERMISSIONS.items()
            for action in actions
        ]
        group.permissions.set(
            Permission.objects.filter(content_type__app_label="exams", codename__in=codenames)
        )
    return group


def admin_login(page: Page, live_server, user) -> None:
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.locator("input[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def select_by_label(page: Page, selector: str, pattern: str) -> None:
    """Pick the option whose label matches the regex `pattern`."""
    option = page.locator(f"{selector} option").filter(has_text=re.compile(pattern)).first
    page.select_option(selector, value=option.get_attribute("value"))


def test_instructor_creates_a_question_that_a_learner_meets_in_practice(page: Page, live_server):
    page.set_default_timeout(TIMEOUT)
    syllabus = load_pcep_syllabus()
    bank = ExamFactory(kind=Exam.Kind.BANK, title="Instructor bank")
    topic = Topic.objects.get(module__syllabus=syllabus, code="2.2")
    instructor = UserFactory(username="instructor", is_staff=True)
    instructor.groups.add(instructors_group())

    admin_login(page, live_server, instructor)
    page.goto(f"{live_server.url}/admin/exams/question/add/")
    page.select_option("#id_exam", label=str(bank))
    select_by_label(page, "#id_topic", r"^\s*2\.2\b")
    page.select_option("#id_kind", value="single")
    page.select_option("#id_points", value="20")
    page.fill("#id_difficulty", "2")
    page.fill("#id_text", STEM)
    page.fill("#id_code_snippet", CODE)
    page.select_option("#id_verify_mode", value="output")
    page.fill("#id_explanation", "range(2) yields 0 and 1; print puts each on its own line.")
    answers = [
        ("0\n1", True, "The loop prints 0, then 1."),
        ("1\n2", False, "range(2) starts at 0, not 1."),
    ]
    for index, (text, correct, explanation) in enumerate(answers):
        page.fill(f"#id_answers-{index}-answer_order", str(index + 1))
        page.fill(f"#id_answers-{index}-text", text)
        page.set_checked(f"#id_answers-{index}-is_correct", correct)
        page.fill(f"#id_answers-{index}-explanation", explanation)
    page.locator("input[name=_continue]").click()

    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")
    expect(page).to_have_url(re.compile(r"/admin/exams/question/\d+/change/$"))
    question = Question.objects.get(text=STEM)
    assert (question.exam, question.topic, question.kind) == (bank, topic, "single")
    assert (question.points, question.difficulty) == (20, 2)
    assert question.answers.count() == 2

    preview = page.locator(".field-learner_preview .learner-preview")
    expect(preview.locator(".stem")).to_contain_text(STEM)
    expect(preview.locator(".code-block")).to_contain_text("for i in range(2):")
    expect(preview.locator(".code-block")).to_contain_text("print(i)")
    expect(preview.locator("label.option")).to_have_count(2)
    expect(preview.locator(".badge, .key, .correct")).to_have_count(0)
    assert "correct" not in preview.inner_text().lower()
    assert "correct" not in preview.inner_html().lower()
    # The key is shown apart from the preview, in its own section.
    expect(page.locator(".field-key_and_explanations")).to_contain_text("The loop prints 0")
    page.screenshot(path=str(screenshot_path("admin-question-preview.png")), full_page=True)

    page.locator("#logout-form button").click()
    # The site's LOGOUT_REDIRECT_URL leads to the home page, logged out.
    expect(page.get_by_role("link", name="Log in").first).to_be_visible()

    learner = UserFactory()
    page.goto(f"{live_server.url}/accounts/login/?next=/exams/")
    page.fill("#id_username", learner.username)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/exams/$"))

    select_by_label(page, "#id_topic", r"^\s*2\.2\b")
    page.fill("#id_count", "1")
    page.get_by_role("button", name="Start practice").click()
    expect(page).to_have_url(re.compile(r"/attempts/\d+/items/1/$"))
    expect(page.locator("#stem")).to_contain_text(STEM)
    expect(page.locator(".code-block")).to_contain_text("print(i)")

    key = Answer.objects.get(question=question, is_correct=True)
    page.locator(f"#answer-form input[name=choice][value='{key.pk}']").check()
    feedback = page.locator("#feedback section.feedback")
    expect(feedback.locator("h2")).to_have_text(re.compile(r"^Correct\b"))


def test_statistics_list_screenshot(page: Page, live_server):
    page.set_default_timeout(TIMEOUT)
    syllabus = load_pcep_syllabus()
    topics = list(Topic.objects.filter(module__syllabus=syllabus).order_by("code")[:4])
    exam = ExamFactory(title="Loops and operators set")
    texts = [
        "What does print(2 ** 3) output?",
        "Which loop runs exactly three times?",
        "What is the value of 7 // 2?",
        "Which keyword leaves a loop early?",
        "What does print(type(1.0)) output?",
    ]
    questions = [
        make_question(topic=topics[index % len(topics)], exam=exam, text=text, difficulty=2)
        for index, text in enumerate(texts)
    ]
    keys = {q.pk: q.answers.order_by("answer_order") for q in questions}
    # Learner n answers the first n + 2 questions correctly and the rest wrongly.
    for n in range(4):
        learner = UserFactory()
        attempt = services.start_attempt(user=learner, exam=exam)
        for index, question in enumerate(questions):
            options = list(keys[question.pk])
            chosen = options[0] if index < n + 2 else options[1]  # options[0] is the key
            services.record_answer(attempt=attempt, question_id=question.pk, choice_ids=[chosen.pk])
        services.finish_attempt(attempt=attempt)

    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    # Wide enough for every list column, the statistics ones last, without scrolling.
    page.set_viewport_size({"width": 1680, "height": 900})
    admin_login(page, live_server, admin)
    page.goto(f"{live_server.url}/admin/exams/question/")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(len(questions))
    expect(page.locator("#result_list th.column-facility")).to_be_in_viewport()
    answered = page.locator("#result_list td.field-times_answered").all_inner_texts()
    facility = page.locator("#result_list td.field-facility").all_inner_texts()
    assert any(re.fullmatch(r"[1-9]\d*", text.strip()) for text in answered), answered
    assert any(re.fullmatch(r"\d\.\d\d", text.strip()) for text in facility), facility
    assert "4" in [text.strip() for text in answered]
    page.screenshot(path=str(screenshot_path("admin-question-list.png")), full_page=True)
