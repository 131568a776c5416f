"""Tests for who may use admin (the Instructors group, learners) and for the Exam admin:
blueprint validation and the soft delete (deactivate/activate actions)."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from accounts.tests.factories import UserFactory
from exams.admin.syllabus import ExamAdminForm
from exams.models import Exam, ExamSession
from exams.tests.factories import ExamFactory, ExamSessionFactory, make_question

pytestmark = pytest.mark.django_db

INSTRUCTOR_PERMISSIONS = {
    f"{action}_{model}"
    for model in ("syllabus", "module", "topic", "exam", "question")
    for action in ("add", "change", "view")
} | {
    "add_answer", "change_answer", "delete_answer", "view_answer",
    "view_examsession", "view_userresponse", "view_userprogress",
    # They work the learners' item reports (accounts migration 0004).
    "view_itemreport", "change_itemreport",
}  # fmt: skip


@pytest.fixture
def instructor(db):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Instructors"))
    return user


@pytest.fixture
def instructor_client(client, instructor):
    client.force_login(instructor)
    return client


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


# ---------------------------------------------------------------------------------------
# Roles
# ---------------------------------------------------------------------------------------


def test_instructors_group_has_exactly_the_authoring_permissions():
    group = Group.objects.get(name="Instructors")

    granted = set(group.permissions.values_list("content_type__app_label", "codename"))

    assert {codename for _, codename in granted} == INSTRUCTOR_PERMISSIONS
    assert {app_label for app_label, _ in granted} == {"exams", "progress"}


def test_instructor_can_author_questions_and_list_exams(instructor_client):
    question = make_question()

    assert instructor_client.get(reverse("admin:exams_question_add")).status_code == 200
    change = instructor_client.get(reverse("admin:exams_question_change", args=[question.pk]))
    assert change.status_code == 200
    assert instructor_client.get(reverse("admin:exams_exam_changelist")).status_code == 200
    assert instructor_client.get(reverse("admin:exams_examsession_changelist")).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/admin/accounts/user/",
        "/admin/accounts/user/add/",
        "/admin/auth/group/",
        "/admin/auth/group/add/",
    ],
)
def test_instructor_cannot_manage_users_or_groups(instructor_client, url):
    assert instructor_client.get(url).status_code == 403


def test_instructor_cannot_open_another_users_account(instructor_client):
    other = UserFactory()

    response = instructor_client.get(reverse("admin:accounts_user_change", args=[other.pk]))

    assert response.status_code == 403


def test_learner_is_sent_to_the_admin_login(client):
    client.force_login(UserFactory())

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('admin:login')}?next=/admin/"


def test_staff_who_may_edit_users_cannot_grant_admin_rights(client):
    support = UserFactory(is_staff=True)
    support.user_permissions.set(
        Permission.objects.filter(codename__in=["view_user", "change_user"])
    )
    learner = UserFactory()
    client.force_login(support)

    response = client.get(reverse("admin:accounts_user_change", args=[learner.pk]))

    assert response.status_code == 200
    form_fields = response.context["adminform"].form.fields
    assert not {"is_staff", "is_superuser", "groups", "user_permissions"} & set(form_fields)


# ---------------------------------------------------------------------------------------
# Exam admin: blueprint, pass mark, time limit
# ---------------------------------------------------------------------------------------


def exam_form_data(exam: Exam, **changes) -> dict:
    data = {
        "title": exam.title,
        "description": exam.description or "",
        "time_limit": exam.time_limit,
        "total_questions": exam.total_questions,
        "source_file": exam.source_file or "",
        "version": exam.version,
        "created_at_0": "2024-01-01",
        "created_at_1": "10:00:00",
        "is_active": "on" if exam.is_active else "",
        "metadata": json.dumps(exam.metadata or {}),
        "kind": exam.kind,
        "code": exam.code,
        "syllabus": exam.syllabus_id or "",
        "pass_percent": exam.pass_percent,
        "max_score": exam.max_score,
        "blueprint": json.dumps(exam.blueprint),
        "block_points": "",
    }
    data.update(changes)
    return data


@pytest.fixture
def mock_exam(syllabus) -> Exam:
    """The PCEP mock exam, with two active bank questions in block 1 and one in block 2."""
    topics = {module.number: module.topics.first() for module in syllabus.modules.all()}
    bank = ExamFactory(kind=Exam.Kind.BANK)
    make_question(topic=topics[1], exam=bank)
    make_question(topic=topics[1], exam=bank)
    make_question(topic=topics[2], exam=bank)
    make_question(topic=topics[2], exam=bank, is_active=False)
    make_question(topic=topics[3], exam=ExamFactory(kind=Exam.Kind.BANK, is_active=False))
    return Exam.objects.get(kind=Exam.Kind.MOCK, syllabus=syllabus)


def test_valid_blueprint_is_saved(superuser_client, mock_exam):
    url = reverse("admin:exams_exam_change", args=[mock_exam.pk])

    response = superuser_client.post(
        url, exam_form_data(mock_exam, blueprint='{"1": 2, "2": 1}', pass_percent=65)
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    mock_exam.refresh_from_db()
    assert mock_exam.blueprint == {"1": 2, "2": 1}
    assert mock_exam.pass_percent == 65


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        (
            {"blueprint": '{"1": 3}'},
            "blueprint",
            "Block 1 needs 3 items, but the bank has only 2 active questions for it.",
        ),
        (
            {"blueprint": '{"2": 2}'},
            "blueprint",
            "Block 2 needs 2 items, but the bank has only 1 active questions for it.",
        ),
        (
            {"blueprint": '{"3": 1}'},
            "blueprint",
            "Block 3 needs 1 items, but the bank has only 0 active questions for it.",
        ),
        (
            {"blueprint": '{"7": 1}'},
            "blueprint",
            "Block 7 is not a block of PCEP-30-02 (its blocks: 1, 2, 3, 4).",
        ),
        (
            {"blueprint": '{"1": 0}'},
            "blueprint",
            "Block 1: the item count must be a positive whole number.",
        ),
        (
            {"blueprint": '{"1": "2"}'},
            "blueprint",
            "Block 1: the item count must be a positive whole number.",
        ),
        (
            {"blueprint": '{"1": 1.5}'},
            "blueprint",
            "Block 1: the item count must be a positive whole number.",
        ),
        ({"blueprint": '{"one": 1}'}, "blueprint", "Block 'one' is not a block number."),
        (
            {"blueprint": "[7, 8]"},
            "blueprint",
            'The blueprint must be a JSON object of block number to item count, e.g. {"1": 7}.',
        ),
        ({"blueprint": "{}"}, "blueprint", "A mock exam needs a blueprint of items per block."),
        (
            {"syllabus": ""},
            "blueprint",
            "A blueprint needs a syllabus: its block numbers refer to it.",
        ),
        (
            {"kind": Exam.Kind.FIXED, "blueprint": '{"1": 1}'},
            "blueprint",
            "Only mock exams draw by blueprint: clear it for other kinds.",
        ),
        (
            {"block_points": '{"1": 40, "2": 20}'},
            "block_points",
            "The block maxima add up to 60 points, not the exam's maximum score of 1000.",
        ),
        (
            {"block_points": '{"1": 50, "2": 20}', "max_score": 70},
            "block_points",
            "Block 1: no 2 active questions add up to 50 points (the bank has 2 worth 20).",
        ),
        (
            {"block_points": '{"1": 40}', "max_score": 40},
            "block_points",
            "Blocks without a maximum: 2 (give every block one).",
        ),
        (
            {"block_points": '{"1": 40, "2": 0}'},
            "block_points",
            "Block 2: the maximum must be a positive whole number of points.",
        ),
        (
            {"block_points": '{"1": 40, "2": 20, "3": 10}'},
            "block_points",
            "Block 3 has a maximum but no items in the blueprint.",
        ),
        (
            {"block_points": "[180]"},
            "block_points",
            'The block maxima must be a JSON object of block number to points, e.g. {"1": 180}.',
        ),
        ({"pass_percent": 0}, "pass_percent", "The pass mark must be between 1 and 100 percent."),
        (
            {"pass_percent": 101},
            "pass_percent",
            "The pass mark must be between 1 and 100 percent.",
        ),
        ({"time_limit": 0}, "time_limit", "The time limit must be more than 0 seconds."),
        ({"time_limit": -60}, "time_limit", "The time limit must be more than 0 seconds."),
    ],
)
def test_invalid_exam_settings_are_shown_and_nothing_is_saved(
    superuser_client, mock_exam, changes, field, error
):
    url = reverse("admin:exams_exam_change", args=[mock_exam.pk])
    before = Exam.objects.filter(pk=mock_exam.pk).values().get()
    changes.setdefault("blueprint", '{"1": 2, "2": 1}')

    response = superuser_client.post(url, exam_form_data(mock_exam, title="Renamed", **changes))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors[field] == [error]
    assert error.replace('"', "&quot;").replace("'", "&#x27;") in response.content.decode()
    assert Exam.objects.filter(pk=mock_exam.pk).values().get() == before


def test_block_maxima_the_bank_can_reach_are_saved(superuser_client, mock_exam):
    url = reverse("admin:exams_exam_change", args=[mock_exam.pk])

    response = superuser_client.post(
        url,
        exam_form_data(
            mock_exam, blueprint='{"1": 2, "2": 1}', block_points='{"1": 40, "2": 20}', max_score=60
        ),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    mock_exam.refresh_from_db()
    assert mock_exam.block_points == {"1": 40, "2": 20}


def test_every_blueprint_problem_is_listed(mock_exam):
    form = ExamAdminForm(
        data=exam_form_data(mock_exam, blueprint='{"1": 5, "9": 1, "2": -1}'), instance=mock_exam
    )

    assert not form.is_valid()
    assert form.errors["blueprint"] == [
        "Block 2: the item count must be a positive whole number.",
        "Block 1 needs 5 items, but the bank has only 2 active questions for it.",
        "Block 9 is not a block of PCEP-30-02 (its blocks: 1, 2, 3, 4).",
    ]


def test_fixed_set_without_blueprint_is_valid():
    exam = ExamFactory()

    form = ExamAdminForm(
        data=exam_form_data(exam, blueprint="", created_at="2024-01-01 10:00"), instance=exam
    )

    assert form.is_valid(), form.errors
    assert form.cleaned_data["blueprint"] == {}


# ---------------------------------------------------------------------------------------
# Exam admin: soft delete and question counts
# ---------------------------------------------------------------------------------------


def test_exam_list_offers_no_delete_even_to_superusers(superuser_client):
    exam = ExamFactory()

    response = superuser_client.get(reverse("admin:exams_exam_changelist"))

    actions = [name for name, _ in response.context["action_form"].fields["action"].choices]
    assert "delete_selected" not in actions
    assert {"deactivate", "activate"} <= set(actions)
    delete_url = reverse("admin:exams_exam_delete", args=[exam.pk])
    assert superuser_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert Exam.objects.filter(pk=exam.pk).exists()


def test_deactivate_hides_the_exam_from_learners_and_keeps_its_sessions(instructor_client):
    exam = ExamFactory()
    kept = ExamFactory()
    sessions = ExamSessionFactory.create_batch(2, exam=exam)

    response = instructor_client.post(
        reverse("admin:exams_exam_changelist"),
        {"action": "deactivate", "_selected_action": [exam.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert list(Exam.objects.offered()) == [kept]
    exam.refresh_from_db()
    assert exam.is_active is False
    assert set(ExamSession.objects.filter(exam=exam)) == set(sessions)
    assert "Deactivated 1 exam(s); their attempts are kept." in response.content.decode()


def test_activate_offers_the_exam_again(instructor_client):
    exam = ExamFactory(is_active=False)

    instructor_client.post(
        reverse("admin:exams_exam_changelist"),
        {"action": "activate", "_selected_action": [exam.pk]},
    )

    assert list(Exam.objects.offered()) == [exam]


def test_exam_list_shows_question_counts(instructor_client):
    exam = ExamFactory(title="Counted set")
    make_question(exam=exam)
    make_question(exam=exam)
    make_question(exam=exam, is_active=False)

    response = instructor_client.get(reverse("admin:exams_exam_changelist"))

    html = response.content.decode()
    assert '<td class="field-active_question_count">2</td>' in html
    assert '<td class="field-question_count">3</td>' in html


def test_exam_page_links_to_its_questions(instructor_client):
    exam = ExamFactory()
    make_question(exam=exam)

    response = instructor_client.get(reverse("admin:exams_exam_change", args=[exam.pk]))

    question_list = reverse("admin:exams_question_changelist")
    assert f"{question_list}?exam__id__exact={exam.pk}" in response.content.decode()
    assert "1 questions (1 active)" in response.content.decode()
