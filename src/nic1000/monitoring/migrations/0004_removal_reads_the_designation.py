# A removal keeps only when and by whom: the reason, the note and the nominating body are the designation's
# (designations.Membership), which every removal already wrote. Copied there first wherever it lacks them.
from django.db import migrations


def keep_on_the_designation(apps, schema_editor):
    Removal = apps.get_model("monitoring", "Removal")
    Membership = apps.get_model("designations", "Membership")
    for removal in Removal.objects.all().iterator():
        m = Membership.objects.get(pk=removal.membership_id)
        changed = []
        if not m.removal_reason:
            m.removal_reason = removal.reason
            changed.append("removal_reason")
        if not m.removal_note:
            m.removal_note = removal.note
            changed.append("removal_note")
        if changed:
            m.save(update_fields=changed)


class Migration(migrations.Migration):

    dependencies = [
        ("designations", "0001_initial"),
        ("monitoring", "0003_membership_in_designations"),
    ]

    operations = [
        migrations.RunPython(keep_on_the_designation, migrations.RunPython.noop),
        migrations.RemoveField(model_name="removal", name="body"),
        migrations.RemoveField(model_name="removal", name="note"),
        migrations.RemoveField(model_name="removal", name="reason"),
    ]
