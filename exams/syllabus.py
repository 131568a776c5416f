"""Loading a syllabus data file (content/syllabus/*.yaml) into modules, topics and a mock exam."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import transaction

from exams.errors import ContentError
from exams.models import Exam, Module, Syllabus, Topic

DEFAULT_SYLLABUS_DIR = Path(settings.BASE_DIR) / "content" / "syllabus"


@dataclass(frozen=True)
class SyllabusLoadResult:
    code: str
    created: int
    updated: int
    unchanged: int


def _apply(instance, values: dict[str, Any]) -> bool:
    """Set changed attributes; return whether anything changed."""
    changed = False
    for field, value in values.items():
        if getattr(instance, field) != value:
            setattr(instance, field, value)
            changed = True
    return changed


class _Counter:
    def __init__(self) -> None:
        self.created = self.updated = self.unchanged = 0

    def upsert(self, model, *, lookup: dict[str, Any], values: dict[str, Any]):
        instance = model.objects.filter(**lookup).first()
        if instance is None:
            self.created += 1
            return model.objects.create(**lookup, **values)
        if _apply(instance, values):
            instance.save()
            self.updated += 1
        else:
            self.unchanged += 1
        return instance


def read_syllabus_file(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ContentError(f"{path}: cannot read the syllabus file: {error}") from error
    if not isinstance(data, dict) or "exam" not in data or "blocks" not in data:
        raise ContentError(f"{path}: a syllabus file needs 'exam' and 'blocks' sections.")
    return data


@transaction.atomic
def load_syllabus(*, path: Path) -> SyllabusLoadResult:
    """Create or update the syllabus, its blocks, objectives and mock exam; idempotent."""
    data = read_syllabus_file(path)
    exam_facts = data["exam"]
    code = exam_facts["code"]
    counter = _Counter()
    syllabus_date = exam_facts.get("syllabus_date")
    if isinstance(syllabus_date, str):
        syllabus_date = datetime.date.fromisoformat(syllabus_date)
    syllabus = counter.upsert(
        Syllabus,
        lookup={"code": code},
        values={
            "name": exam_facts["name"],
            "syllabus_date": syllabus_date,
            "source_url": exam_facts.get("source_url", ""),
            "attribution": exam_facts.get("attribution", ""),
            "facts": {
                key: exam_facts[key]
                for key in ("items", "exam_minutes", "pass_percent", "max_points", "item_points")
                if key in exam_facts
            },
        },
    )
    for block in data["blocks"]:
        module = counter.upsert(
            Module,
            lookup={"name": block["name"]},
            values={
                "syllabus": syllabus,
                "number": block["number"],
                "display_order": block["number"],
                "weight_percent": block["weight_percent"],
                "exam_items": block["items"],
                "description": f"Block {block['number']} of {code}: {block['weight_percent']}% "
                f"of the exam, {block['items']} items.",
            },
        )
        for order, objective in enumerate(block["objectives"], start=1):
            counter.upsert(
                Topic,
                lookup={"module": module, "code": objective["id"]},
                values={
                    "name": objective["title"],
                    "description": "; ".join(objective["topics"]),
                    "display_order": order,
                },
            )
    counter.upsert(
        Exam,
        lookup={"kind": Exam.Kind.MOCK, "code": code},
        values={
            "title": f"{code} mock exam",
            "description": (
                f"{exam_facts['items']} items drawn from the whole bank by the {code} blueprint, "
                f"{exam_facts['exam_minutes']} minutes, pass at {exam_facts['pass_percent']}%."
            ),
            "syllabus": syllabus,
            "time_limit": exam_facts["exam_minutes"] * 60,
            "total_questions": exam_facts["items"],
            "pass_percent": exam_facts["pass_percent"],
            "max_score": exam_facts["max_points"],
            "blueprint": {str(block["number"]): block["items"] for block in data["blocks"]},
            "block_points": {
                str(block["number"]): exam_facts["max_points"] * block["weight_percent"] // 100
                for block in data["blocks"]
            },
        },
    )
    return SyllabusLoadResult(
        code=code, created=counter.created, updated=counter.updated, unchanged=counter.unchanged
    )
