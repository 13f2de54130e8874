from django.db import migrations


def forwards(apps, schema_editor):
    from nic1000.finance.reference import load_products

    load_products(apps.get_model("registry", "Institution"), apps.get_model("finance", "Product"), apps.get_model("finance", "RoutingRule"))


class Migration(migrations.Migration):
    dependencies = [
        ("finance", "0001_initial"),
        ("registry", "0002_reference_data"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
