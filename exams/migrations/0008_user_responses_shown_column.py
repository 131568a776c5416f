from django.db import migrations, models

BATCH = 1000


def move_copies_out_of_response_data(apps, schema_editor):
    """Each response's `response_data["shown"]` moves to the new column, unchanged."""
    UserResponse = apps.get_model("exams", "UserResponse")
    rows = UserResponse.objects.filter(response_data__has_key="shown").only("id", "response_data")
    batch = []
    for response in rows.iterator(chunk_size=BATCH):
        stored = dict(response.response_data)
        response.shown = stored.pop("shown")
        response.response_data = stored
        batch.append(response)
        if len(batch) == BATCH:
            UserResponse.objects.bulk_update(batch, ["shown", "response_data"])
            batch = []
    UserResponse.objects.bulk_update(batch, ["shown", "response_data"])


def put_copies_back(apps, schema_editor):
    UserResponse = apps.get_model("exams", "UserResponse")
    rows = UserResponse.objects.filter(shown__isnull=False).only("id", "response_data", "shown")
    batch = []
    for response in rows.iterator(chunk_size=BATCH):
        response.response_data = {**(response.response_data or {}), "shown": response.shown}
        batch.append(response)
        if len(batch) == BATCH:
            UserResponse.objects.bulk_update(batch, ["response_data"])
            batch = []
    UserResponse.objects.bulk_update(batch, ["response_data"])


class Migration(migrations.Migration):
    dependencies = [
        ("exams", "0007_user_responses_cohort_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="userresponse",
            name="shown",
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.RunPython(move_copies_out_of_response_data, put_copies_back),
    ]
