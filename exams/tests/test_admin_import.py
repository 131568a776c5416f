"""Tests for importing question files in admin: upload, dry-run report, confirm."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import UserFactory
from exams.admin import content_import
from exams.models import Answer, Exam, Question

pytestmark = pytest.mark.django_db

SAMPLE_PATH = Path(__file__).parent / "content_samples" / "sample.yaml"
SAMPLE_TEXT = SAMPLE_PATH.read_text(encoding="utf-8")
SAMPLE_QUESTIONS = 4
IMPORT_URL = reverse("admin:exams_exam_import")
CONFIRM_URL = reverse("admin:exams_exam_import_confirm")


@pytest.fixture(autouse=True)
def private_temp_root(tmp_path: Path, monkeypatch) -> Path:
    """Uploads land under this test's own directory, so leftovers can be seen."""
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


def make_author(*codenames: str):
    user = UserFactory(is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="exams", codename__in=codenames)
    )
    return user


@pytest.fixture
def author(db):
    return make_author("add_question", "change_question", "view_exam")


@pytest.fixture
def author_client(client, author):
    client.force_login(author)
    return client


def upload(client, *files: tuple[str, str]):
    return client.post(
        IMPORT_URL,
        {"files": [SimpleUploadedFile(name, text.encode("utf-8")) for name, text in files]},
    )


def database_rows() -> tuple:
    return (
        list(Exam.objects.values_list("pk", "title", "updated_at")),
        list(Question.objects.values_list("pk", "original_id", "text")),
        Answer.objects.count(),
    )


def pending_directories(root: Path) -> list[Path]:
    return sorted(root.glob(f"{content_import.TEMP_DIR_PREFIX}*"))


def test_exam_list_links_to_the_import(author_client):
    response = author_client.get(reverse("admin:exams_exam_changelist"))

    assert response.status_code == 200
    assert f'href="{IMPORT_URL}"' in response.content.decode()


def test_upload_page_shows_a_multiple_file_input(author_client):
    response = author_client.get(IMPORT_URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'type="file"' in html and "multiple" in html
    assert 'enctype="multipart/form-data"' in html


def test_valid_file_is_reported_then_imported_only_on_confirmation(
    author_client, syllabus, private_temp_root
):
    before = database_rows()

    response = upload(author_client, ("sample.yaml", SAMPLE_TEXT))

    assert response.status_code == 200
    report = response.context["report"]
    assert (report.created, report.updated, report.unchanged, report.retired) == (
        SAMPLE_QUESTIONS, 0, 0, 0,
    )  # fmt: skip
    html = response.content.decode()
    assert "Dry run: nothing has been written" in html
    assert '<th scope="row">Questions created</th><td>4</td>' in html
    assert "Confirm import" in html
    assert database_rows() == before
    assert len(pending_directories(private_temp_root)) == 1
    assert [path.name for path in pending_directories(private_temp_root)[0].iterdir()] == [
        "sample.yaml"
    ]

    response = author_client.post(CONFIRM_URL, {"token": response.context["token"]})

    assert response.status_code == 200
    assert sorted(Question.objects.values_list("original_id", flat=True)) == sorted(
        ["pipeline-single", "pipeline-multiple", "pipeline-order", "pipeline-gap"]
    )
    assert Exam.objects.filter(source_file="sample.yaml", title="Content pipeline sample").exists()
    assert response.context["report"].created == SAMPLE_QUESTIONS
    assert [str(message) for message in get_messages(response.wsgi_request)] == [
        "Imported 1 file(s): 4 question(s) created, 0 updated, 0 unchanged, 0 retired."
    ]
    assert "Import complete" in response.content.decode()
    assert pending_directories(private_temp_root) == []


def test_several_files_are_imported_together(author_client, syllabus):
    other = (
        SAMPLE_TEXT.replace("Content pipeline sample", "Second set")
        .replace("id: pipeline-", "id: second-")
    )  # fmt: skip

    response = upload(author_client, ("sample.yaml", SAMPLE_TEXT), ("second.yaml", other))

    assert response.context["report"].created == 2 * SAMPLE_QUESTIONS
    author_client.post(CONFIRM_URL, {"token": response.context["token"]})
    assert Question.objects.count() == 2 * SAMPLE_QUESTIONS
    assert set(Exam.objects.exclude(source_file=None).values_list("source_file", flat=True)) == {
        "sample.yaml",
        "second.yaml",
    }


def test_reimport_reports_unchanged_questions(author_client, syllabus):
    first = upload(author_client, ("sample.yaml", SAMPLE_TEXT))
    author_client.post(CONFIRM_URL, {"token": first.context["token"]})

    response = upload(author_client, ("sample.yaml", SAMPLE_TEXT))

    report = response.context["report"]
    assert (report.created, report.updated, report.unchanged) == (0, 0, SAMPLE_QUESTIONS)


def test_invalid_file_shows_each_error_with_its_line_and_offers_no_confirmation(
    author_client, syllabus, private_temp_root
):
    broken = SAMPLE_TEXT.replace("difficulty: 2\n    points: 20", "difficulty: 9\n    points: 20")
    assert broken != SAMPLE_TEXT
    question_line = SAMPLE_TEXT.splitlines().index("  - id: pipeline-single") + 1
    before = database_rows()

    response = upload(author_client, ("sample.yaml", broken))

    assert response.status_code == 200
    problems = response.context["problems"]
    assert [(problem.file, problem.line, problem.question_id) for problem in problems] == [
        ("sample.yaml", question_line, "pipeline-single")
    ]
    assert "'difficulty' is 9" in problems[0].message
    html = response.content.decode()
    assert f"<td>{question_line}</td>" in html
    assert "Confirm import" not in html
    assert response.context["token"] is None
    assert database_rows() == before
    assert pending_directories(private_temp_root) == []


def test_malformed_yaml_is_reported_with_its_line(author_client, syllabus):
    response = upload(author_client, ("broken.yaml", "format: 1\nexam: [unclosed\n"))

    problems = response.context["problems"]
    assert len(problems) == 1
    assert problems[0].file == "broken.yaml"
    assert problems[0].line is not None
    assert "malformed YAML" in problems[0].message
    assert Question.objects.count() == 0


def test_token_from_another_session_is_refused(author_client, syllabus):
    response = upload(author_client, ("sample.yaml", SAMPLE_TEXT))
    token = response.context["token"]
    other_client = Client()
    other_client.force_login(make_author("add_question", "change_question"))

    refused = other_client.post(CONFIRM_URL, {"token": token})

    assert refused.status_code == 302
    assert refused["Location"] == IMPORT_URL
    assert Question.objects.count() == 0
    # The rightful session can still confirm it.
    author_client.post(CONFIRM_URL, {"token": token})
    assert Question.objects.count() == SAMPLE_QUESTIONS


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda token: token[:-2] + "xx", id="tampered-signature"),
        pytest.param(
            lambda token: signing.dumps(signing.loads(token, salt=content_import.TOKEN_SALT)),
            id="signed-without-the-salt",
        ),
        pytest.param(
            lambda token: signing.dumps(
                {"directory": "../etc", "user": 1}, salt=content_import.TOKEN_SALT
            ),
            id="other-directory",
        ),
    ],
)
def test_forged_token_is_refused(author_client, syllabus, forge):
    token = upload(author_client, ("sample.yaml", SAMPLE_TEXT)).context["token"]
    session = author_client.session
    session[content_import.SESSION_KEY] = forge(token)
    session.save()

    refused = author_client.post(CONFIRM_URL, {"token": forge(token)})

    assert refused.status_code == 302
    assert Question.objects.count() == 0


def test_confirmed_token_cannot_be_used_twice(author_client, syllabus):
    token = upload(author_client, ("sample.yaml", SAMPLE_TEXT)).context["token"]
    author_client.post(CONFIRM_URL, {"token": token})

    again = author_client.post(CONFIRM_URL, {"token": token}, follow=True)

    assert "cannot be confirmed" in again.content.decode()


def test_new_upload_discards_the_unconfirmed_one(author_client, syllabus, private_temp_root):
    first = upload(author_client, ("sample.yaml", SAMPLE_TEXT))
    upload(author_client, ("sample.yaml", SAMPLE_TEXT))

    assert len(pending_directories(private_temp_root)) == 1
    refused = author_client.post(CONFIRM_URL, {"token": first.context["token"]})
    assert refused.status_code == 302
    assert Question.objects.count() == 0


@pytest.mark.parametrize("name", ["my questions.yaml", "questions.txt", "questions.yaml.exe"])
def test_bad_file_name_is_a_form_error(author_client, syllabus, private_temp_root, name):
    response = upload(author_client, (name, SAMPLE_TEXT))

    assert response.status_code == 200
    errors = response.context["form"].errors["files"]
    assert errors == [
        f"{name}: file names may use letters, digits, '.', '-' and '_' and end in .yaml."
    ]
    assert pending_directories(private_temp_root) == []
    assert Question.objects.count() == 0


def test_file_over_the_size_limit_is_a_form_error(author_client, syllabus, monkeypatch):
    monkeypatch.setattr(content_import, "MAX_FILE_BYTES", 100)

    response = upload(author_client, ("sample.yaml", SAMPLE_TEXT))

    [error] = response.context["form"].errors["files"]
    assert error.startswith("sample.yaml: the file is ")
    assert "the limit is 100 bytes" in error


def test_missing_files_are_a_form_error(author_client):
    response = author_client.post(IMPORT_URL, {})

    assert response.context["form"].errors["files"] == ["This field is required."]


def test_confirm_needs_post(author_client):
    assert author_client.get(CONFIRM_URL).status_code == 405


@pytest.mark.parametrize(
    "codenames", [(), ("add_question",), ("change_question",)], ids=["none", "add", "change"]
)
def test_staff_without_both_question_permissions_get_403(client, syllabus, codenames):
    client.force_login(make_author(*codenames, "view_exam"))

    assert client.get(IMPORT_URL).status_code == 403
    response = upload(client, ("sample.yaml", SAMPLE_TEXT))
    assert response.status_code == 403
    assert client.post(CONFIRM_URL, {"token": "anything"}).status_code == 403
    assert Question.objects.count() == 0
    changelist = client.get(reverse("admin:exams_exam_changelist"))
    assert "Import question files" not in changelist.content.decode()


def test_learners_are_sent_to_the_admin_login(client):
    client.force_login(UserFactory())

    response = client.get(IMPORT_URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_dry_run_lists_edited_questions_and_only_ticked_ones_take_the_file(author_client, syllabus):
    upload_and_confirm = upload(author_client, ("sample.yaml", SAMPLE_TEXT))
    author_client.post(CONFIRM_URL, {"token": upload_and_confirm.context["token"]})
    for question_id in ("pipeline-single", "pipeline-order"):
        Question.objects.filter(original_id=question_id).update(explanation="Edited in admin.")

    response = upload(author_client, ("sample.yaml", SAMPLE_TEXT))

    html = response.content.decode()
    assert 'id="import-conflicts"' in html
    assert html.count('name="take_file"') == 2
    author_client.post(
        CONFIRM_URL, {"token": response.context["token"], "take_file": ["pipeline-single"]}
    )
    explanations = dict(Question.objects.values_list("original_id", "explanation"))
    assert explanations["pipeline-single"] != "Edited in admin."
    assert explanations["pipeline-order"] == "Edited in admin."
