from django.db import migrations, models


def inline_explained(apps, schema_editor):
    """Runs finished before this migration stored their explanations inline."""
    InspectionRun = apps.get_model("monitoring", "InspectionRun")
    InspectionRun.objects.filter(status="done").update(explained_at=models.F("finished_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="inspectionrun",
            name="explained_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(inline_explained, migrations.RunPython.noop),
    ]
