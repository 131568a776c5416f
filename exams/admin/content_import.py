"""Importing question files in admin: upload, dry-run report, then a confirmed import."""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django import forms
from django.contrib import admin, messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.http import require_POST

from exams.content.importing import ImportReport, import_content

# The importer's own file-name rule, checked before an upload is saved under its name.
from exams.content.parsing import (
    FILE_NAME_PATTERN,
    FILE_NAME_RULE,
    MAX_FILE_BYTES,
    ContentProblem,
)
from exams.interop.common import (
    FORMAT_LABELS,
    IMPORT_FILE_NAME_PATTERN,
    IMPORT_FILE_NAME_RULE,
    InteropOptions,
    parse_category_mapping,
)

REQUIRED_PERMISSIONS = ("exams.add_question", "exams.change_question")
TEMP_DIR_PREFIX = "pcep-import-"
TEMP_DIR_NAME = re.compile(rf"{TEMP_DIR_PREFIX}[A-Za-z0-9_]+")
TOKEN_SALT = "exams.admin.content_import"
TOKEN_MAX_AGE_SECONDS = 60 * 60
SESSION_KEY = "exams_import_token"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that accepts several files and cleans to a list of them."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ".yaml,.yml,.xml,.gift,.txt"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None) -> list[UploadedFile]:
        clean_one = super().clean
        if isinstance(data, list | tuple):
            return [clean_one(item, initial) for item in data] or [clean_one(None, initial)]
        return [clean_one(data, initial)]


# "auto": each file's ending chooses (docs/interop.md). A post without a format (a script,
# an older form) is the native YAML, as it always was.
FORMAT_CHOICES = [
    ("yaml", "Native YAML (.yaml)"),
    ("auto", "By file ending (.yaml, .xml Moodle XML, .gift GIFT, .txt Aiken)"),
    *((name, label) for name, label in FORMAT_LABELS.items()),
]


class ImportUploadForm(forms.Form):
    files = MultipleFileField(
        label="Question files",
        help_text=(
            "One or more content files (docs/content-format.md, docs/interop.md). File names "
            "may use letters, digits, '.', '-' and '_' and end in .yaml (or, for Moodle's "
            f"formats, .xml, .gift, .txt); each file at most {MAX_FILE_BYTES} bytes."
        ),
    )
    file_format = forms.ChoiceField(
        label="Format", choices=FORMAT_CHOICES, required=False, initial="auto"
    )
    categories = forms.CharField(
        label="Categories to objectives",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=(
            "Moodle XML and GIFT: one 'category path=objective' per line, for example "
            "'$course$/top/Block 1=1.3'. The dry run lists the categories it found."
        ),
    )
    default_objective = forms.CharField(
        label="Default objective",
        required=False,
        max_length=20,
        help_text="For questions whose category is not mapped, and for Aiken files.",
    )

    def clean_categories(self) -> dict[str, str]:
        mapping, errors = parse_category_mapping(self.cleaned_data["categories"].splitlines())
        if errors:
            raise forms.ValidationError(errors)
        return mapping

    def interop_options(self) -> InteropOptions:
        chosen = self.cleaned_data.get("file_format") or "yaml"
        return InteropOptions(
            file_format=None if chosen == "auto" else chosen,
            categories=self.cleaned_data["categories"],
            default_objective=self.cleaned_data["default_objective"].strip() or None,
        )

    def clean_files(self) -> list[UploadedFile]:
        files = self.cleaned_data["files"]
        native_only = (self.data.get("file_format") or "yaml") == "yaml"
        pattern = FILE_NAME_PATTERN if native_only else IMPORT_FILE_NAME_PATTERN
        rule = FILE_NAME_RULE if native_only else IMPORT_FILE_NAME_RULE
        errors = []
        names = [upload.name for upload in files]
        for upload in files:
            if not pattern.fullmatch(upload.name):
                errors.append(f"{upload.name}: {rule}")
            elif upload.size > MAX_FILE_BYTES:
                errors.append(
                    f"{upload.name}: the file is {upload.size} bytes; "
                    f"the limit is {MAX_FILE_BYTES} bytes."
                )
            elif names.count(upload.name) > 1:
                errors.append(f"{upload.name}: two uploaded files share this name.")
        if errors:
            raise forms.ValidationError(sorted(set(errors)))
        return files


@dataclass(frozen=True)
class ReportedProblem:
    file: str
    line: int | None
    question_id: str | None
    message: str


def can_import(user) -> bool:
    return user.has_perms(REQUIRED_PERMISSIONS)


def upload_view(request: HttpRequest, *, model_admin: admin.ModelAdmin) -> HttpResponse:
    """Step 1: save the uploads to a private directory and show what importing them would do."""
    _check_permission(request)
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
    else:
        form = ImportUploadForm()
    if not form.is_bound or not form.is_valid():
        return _render(request, model_admin, "admin/exams/import_upload.html", {"form": form})
    _discard_pending_import(request)
    directory = Path(tempfile.mkdtemp(prefix=TEMP_DIR_PREFIX))
    paths = [_save_upload(upload, directory) for upload in form.cleaned_data["files"]]
    interop = form.interop_options()
    report = import_content(paths=paths, dry_run=True, interop=interop)
    token = None
    if report.ok:
        # The confirmation imports with exactly the format and mapping this dry run showed.
        token = signing.dumps(
            {
                "directory": directory.name,
                "user": request.user.pk,
                "format": interop.file_format,
                "categories": dict(interop.categories),
                "default_objective": interop.default_objective,
            },
            salt=TOKEN_SALT,
        )
        request.session[SESSION_KEY] = token
    else:
        # Nothing can be confirmed, so nothing needs to be kept.
        shutil.rmtree(directory, ignore_errors=True)
    context = _report_context(report, directory, file_names=[path.name for path in paths])
    context["token"] = token
    return _render(request, model_admin, "admin/exams/import_report.html", context)


@require_POST
def confirm_view(request: HttpRequest, *, model_admin: admin.ModelAdmin) -> HttpResponse:
    """Step 2: import the files checked in step 1, for the user and session that uploaded them."""
    _check_permission(request)
    directory, interop = _directory_from_token(request, request.POST.get("token", ""))
    if directory is None:
        messages.error(
            request, "This import cannot be confirmed (it expired or belongs to another "
            "session). Upload the files again.",
        )  # fmt: skip
        return redirect("admin:exams_exam_import")
    del request.session[SESSION_KEY]
    try:
        paths = sorted(directory.iterdir())
        # Edited questions the instructor chose, on the dry run's screen, to overwrite.
        take_file = request.POST.getlist("take_file")
        report = import_content(paths=paths, dry_run=False, take_file=take_file, interop=interop)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    if report.ok:
        messages.success(
            request,
            f"Imported {len(paths)} file(s): {report.created} question(s) created, "
            f"{report.updated} updated, {report.unchanged} unchanged, {report.retired} retired"
            + (
                f"; {len(report.conflicts)} edited question(s) kept as they are."
                if report.conflicts
                else "."
            ),
        )
    else:
        messages.error(request, "The import was refused; nothing was written.")
    context = _report_context(report, directory, file_names=[path.name for path in paths])
    return _render(request, model_admin, "admin/exams/import_report.html", context)


def _check_permission(request: HttpRequest) -> None:
    if not can_import(request.user):
        raise PermissionDenied


def _save_upload(upload: UploadedFile, directory: Path) -> Path:
    path = directory / upload.name
    with path.open("wb") as destination:
        for chunk in upload.chunks():
            destination.write(chunk)
    return path


def _directory_from_token(
    request: HttpRequest, token: str
) -> tuple[Path | None, InteropOptions | None]:
    """The directory step 1 saved and the format and mapping its dry run used."""
    # The token must be the one this session received, signed by us, recent, for this user,
    # and name a directory step 1 created; anything else is refused the same way.
    refused = None, None
    if not token or not constant_time_compare(token, request.session.get(SESSION_KEY, "")):
        return refused
    try:
        payload = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE_SECONDS)
    except signing.BadSignature:
        return refused
    name = payload.get("directory", "")
    if payload.get("user") != request.user.pk or not TEMP_DIR_NAME.fullmatch(name):
        return refused
    directory = Path(tempfile.gettempdir()) / name
    if not directory.is_dir():
        return refused
    interop = InteropOptions(
        file_format=payload.get("format", "yaml"),
        categories=payload.get("categories") or {},
        default_objective=payload.get("default_objective"),
    )
    return directory, interop


def _discard_pending_import(request: HttpRequest) -> None:
    """A new upload replaces an unconfirmed one: remove its files now rather than never."""
    token = request.session.pop(SESSION_KEY, None)
    if not token:
        return
    try:
        payload = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature:
        return
    name = payload.get("directory", "")
    if TEMP_DIR_NAME.fullmatch(name):
        shutil.rmtree(Path(tempfile.gettempdir()) / name, ignore_errors=True)


def _report_context(report: ImportReport, directory: Path, *, file_names: list[str]) -> dict:
    return {
        "report": report,
        "file_names": file_names,
        "problems": [_located(problem, directory) for problem in report.problems],
        "categories": [
            {
                "file": Path(use.path).name,
                "category": use.category,
                "questions": use.questions,
                "objective": use.objective,
                "source": use.source,
            }
            for use in report.categories
        ],
    }


def _located(problem: ContentProblem, directory: Path) -> ReportedProblem:
    # Problems name the saved path; the author knows the file by the name they uploaded.
    path = Path(problem.path)
    file = path.name if path.parent == directory else problem.path
    return ReportedProblem(file, problem.line, problem.question_id, problem.message)


def _render(
    request: HttpRequest, model_admin: admin.ModelAdmin, template: str, context: dict
) -> HttpResponse:
    opts = model_admin.model._meta
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(
        request,
        template,
        {
            **model_admin.admin_site.each_context(request),
            "opts": opts,
            "title": "Import question files",
            **context,
        },
    )
