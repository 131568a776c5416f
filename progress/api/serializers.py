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


class PredictionSerializer(serializers.Serializer):
    score = serializers.IntegerField(help_text="Expected score on a fresh mock exam.")
    low = serializers.IntegerField(help_text="Low end of the 80% range.")
    high = serializers.IntegerField(help_text="High end of the 80% range.")
    pass_probability = serializers.FloatField(min_value=0, max_value=1)
    max_score = serializers.IntegerField()
    pass_score = serializers.IntegerField()


class MasterySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    block = serializers.IntegerField()
    answered = serializers.IntegerField()
    left_blank = serializers.IntegerField(
        help_text="Items left blank in finished exams: counted in mastery as misses."
    )
    estimate = serializers.FloatField(
        allow_null=True, help_text="Chance of a medium item right (0–1); null: no answers yet."
    )
    low = serializers.FloatField(allow_null=True, help_text="80% range, low end.")
    high = serializers.FloatField(allow_null=True, help_text="80% range, high end.")

    def to_representation(self, row) -> dict:
        mastery = row.mastery
        return {
            "code": row.code,
            "name": row.name,
            "block": row.block,
            "answered": row.answered,
            "left_blank": row.left_blank,
            "estimate": mastery.estimate if mastery else None,
            "low": mastery.low if mastery else None,
            "high": mastery.high if mastery else None,
        }


class PlanEntrySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    block = serializers.IntegerField()
    expected_gain = serializers.IntegerField(help_text="Exam points to gain, rounded.")
    answered = serializers.IntegerField()
    reason = serializers.CharField()


class ReadinessSerializer(serializers.Serializer):
    exam = serializers.CharField(allow_null=True, help_text="The mock exam predicted.")
    answers = serializers.IntegerField(help_text="Answers the estimates rest on.")
    days = serializers.IntegerField(help_text="Days those answers span.")
    prediction = PredictionSerializer(
        allow_null=True, help_text="Null below the minimum evidence (see min_answers)."
    )
    min_answers = serializers.IntegerField()
    min_per_block = serializers.IntegerField()
    mastery = MasterySerializer(many=True)
    practise_next = PlanEntrySerializer(many=True)
    reviews_due = serializers.IntegerField()
    exam_date = serializers.DateField(allow_null=True)
    days_left = serializers.IntegerField(allow_null=True)
    items_per_day = serializers.IntegerField(allow_null=True)
