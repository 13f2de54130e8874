# A verification code per designation, for its certificate. Existing rows get one each (a callable default on
# AddField would give them all the same value), then the column becomes unique and required.

from django.db import migrations, models

import nic1000.designations.models


def fill_codes(apps, schema_editor):
    Membership = apps.get_model("designations", "Membership")
    seen = set()
    rows = []
    for m in Membership.objects.filter(certificate_code__isnull=True).only("pk").iterator():
        code = nic1000.designations.models.new_certificate_code()
        while code in seen:
            code = nic1000.designations.models.new_certificate_code()
        seen.add(code)
        m.certificate_code = code
        rows.append(m)
        if len(rows) >= 1000:
            Membership.objects.bulk_update(rows, ["certificate_code"])
            rows = []
    Membership.objects.bulk_update(rows, ["certificate_code"])


class Migration(migrations.Migration):
    dependencies = [("designations", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="membership",
            name="certificate_code",
            field=models.CharField(editable=False, max_length=20, null=True),
        ),
        migrations.RunPython(fill_codes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="membership",
            name="certificate_code",
            field=models.CharField(
                default=nic1000.designations.models.new_certificate_code,
                editable=False,
                max_length=20,
                unique=True,
            ),
        ),
    ]
