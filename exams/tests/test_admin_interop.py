"""Admin import of Moodle XML, GIFT and Aiken files: the format choice, the category mapping
shown in the dry run, then the confirmed import with exactly that mapping."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile

from exams.admin import content_import
from exams.models import Question
from exams.tests.test_admin_import import (
    CONFIRM_URL,
    IMPORT_URL,
    make_author,
    pending_directories,
)

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).parent / "content_samples" / "interop"
MAPPING = "$course$/top/Block 1=1.3\n$course$/top/Block 2=2.2\n"


@pytest.fixture(autouse=True)
def private_temp_root(tmp_path: Path, monkeypatch) -> Path:
    """Uploads land under this test's own directory, so leftovers can be seen."""
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


@pytest.fixture
def author_client(client, db):
    client.force_login(make_author("add_question", "change_question", "view_exam"))
    return client


def upload(client, name: str, *, file_format: str = "auto", categories: str = "", **extra):
    content = (SAMPLES / name).read_bytes()
    return client.post(
        IMPORT_URL,
        {
            "files": [SimpleUploadedFile(name, content)],
            "file_format": file_format,
            "categories": categories,
            **extra,
        },
    )


def test_upload_form_offers_the_formats_and_the_mapping_box(author_client):
    html = author_client.get(IMPORT_URL).content.decode()
    assert 'name="file_format"' in html
    for option in ("Moodle XML", "GIFT", "Aiken", "By file ending"):
        assert option in html
    assert 'name="categories"' in html and 'name="default_objective"' in html
    assert ".xml,.gift,.txt" in html


def test_moodle_upload_dry_run_shows_the_mapping_then_imports_with_it(
    author_client, syllabus, private_temp_root
):
    response = upload(author_client, "supported.xml", categories=MAPPING)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Dry run: nothing has been written" in html
    assert '<table id="import-categories">' in html
    assert (
        "<td>$course$/top/Block 2</td>\n          <td>6</td>\n          <td>2.2 (mapping)" in html
    )
    assert Question.objects.count() == 0
    token = response.context["token"]
    assert token

    response = author_client.post(CONFIRM_URL, {"token": token})

    assert response.context["report"].created == 8
    assert Question.objects.get(original_id="Range-gap").topic.code == "2.2"
    assert Question.objects.get(original_id="mx-single").topic.code == "1.3"
    assert pending_directories(private_temp_root) == []


def test_unmapped_category_is_shown_and_offers_no_confirmation(
    author_client, syllabus, private_temp_root
):
    response = upload(author_client, "supported.xml", categories="$course$/top/Block 1=1.3")
    html = response.content.decode()
    assert "<strong>not mapped</strong>" in html
    assert "category &#x27;$course$/top/Block 2&#x27; is not mapped" in html
    assert response.context["token"] is None
    assert "Confirm import" not in html
    assert Question.objects.count() == 0
    assert pending_directories(private_temp_root) == []


def test_refused_gift_constructs_are_listed_with_their_lines(author_client, syllabus):
    response = upload(author_client, "refused.gift", categories="$course$/top/Refused=1.1")
    problems = {(p.file, p.line, p.question_id) for p in response.context["problems"]}
    assert ("refused.gift", 4, "Essay") in problems
    assert ("refused.gift", 9, "Matching") in problems
    assert response.context["token"] is None
    assert Question.objects.count() == 0


def test_aiken_upload_with_a_default_objective(author_client, syllabus):
    response = upload(author_client, "supported.txt", default_objective="1.4")
    assert response.context["report"].ok
    response = author_client.post(CONFIRM_URL, {"token": response.context["token"]})
    assert set(Question.objects.values_list("topic__code", flat=True)) == {"1.4"}


def test_explicit_format_reads_a_file_whatever_its_ending(author_client, syllabus):
    content = (SAMPLES / "supported.gift").read_bytes()
    response = author_client.post(
        IMPORT_URL,
        {
            "files": [SimpleUploadedFile("bank.txt", content)],
            "file_format": "gift",
            "default_objective": "1.1",
        },
    )
    assert response.context["report"].created == 7  # read as GIFT, not as Aiken


def test_native_format_refuses_foreign_endings_as_before(author_client, syllabus):
    response = upload(author_client, "supported.xml", file_format="yaml")
    assert response.context["form"].errors["files"] == [
        "supported.xml: file names may use letters, digits, '.', '-' and '_' and end in .yaml."
    ]


def test_bad_mapping_line_is_a_form_error(author_client, syllabus, private_temp_root):
    response = upload(author_client, "supported.xml", categories="no separator here")
    assert response.context["form"].errors["categories"] == [
        "'no separator here' is not 'category path=objective'."
    ]
    assert pending_directories(private_temp_root) == []


def test_confirmation_uses_the_signed_mapping_not_one_posted_later(author_client, syllabus):
    """The mapping travels in the signed token: a confirmation cannot swap it."""
    response = upload(author_client, "supported.xml", categories=MAPPING)
    token = response.context["token"]
    payload = signing.loads(token, salt=content_import.TOKEN_SALT)
    assert payload["categories"] == {"$course$/top/Block 1": "1.3", "$course$/top/Block 2": "2.2"}
    author_client.post(CONFIRM_URL, {"token": token, "categories": "$course$/top/Block 2=4.1"})
    assert Question.objects.get(original_id="Range-gap").topic.code == "2.2"
