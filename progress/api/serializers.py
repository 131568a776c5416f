"""Serializers of the progress API: one row per objective of the current syllabus."""

from rest_framework import serializers


class ProgressSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    block = serializers.IntegerField(source="module__number")
    questions_attempted = serializers.IntegerField(source="mine__questions_attempted", default=0)
    questions_correct = serializers.IntegerField(source="mine__questions_correct", default=0)
    proficiency_level = serializers.FloatField(source="mine__proficiency_level", default=0.0)
    average_time = serializers.FloatField(source="mine__average_time", default=0.0)
    last_practice_date = serializers.DateTimeField(
        source="mine__last_practice_date", allow_null=True, default=None
    )

    def to_representation(self, row: dict) -> dict:
        # An objective never practised has no progress row yet: it reads as zeros.
        data = super().to_representation(row)
        for name in (
            "questions_attempted",
            "questions_correct",
            "proficiency_level",
            "average_time",
        ):
            if data[name] is None:
                data[name] = self.fields[name].default
        return data
