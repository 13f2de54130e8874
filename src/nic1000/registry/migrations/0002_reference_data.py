"""Loads the KSIC 10th revision and the programme's participating bodies and institutions."""

from django.db import migrations

from nic1000.registry.reference import load_reference_data


def load(apps, schema_editor):
    load_reference_data(
        apps.get_model("registry", "KsicCode"), apps.get_model("registry", "Body"), apps.get_model("registry", "Institution")
    )


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
