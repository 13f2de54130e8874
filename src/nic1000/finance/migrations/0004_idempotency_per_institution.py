# Step 1 of 2 (the data step runs in its own transaction: PostgreSQL refuses to alter a table with pending
# deferred-constraint events). Idempotency keys belong to the institution (not the token), and the API rate limit is a sliding window of
# per-second counts in one row per token (the fixed one-minute windows let twice the limit through across a
# minute boundary).
import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Min


def institution_from_token(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Fill in each record's institution; where two tokens of one institution used the same key, the first
    answer stays (the later ones were the double effects this migration prevents from now on)."""
    Record = apps.get_model("finance", "IdempotencyRecord")
    for rec in Record.objects.select_related("token").iterator():
        Record.objects.filter(pk=rec.pk).update(institution_id=rec.token.institution_id)
    firsts = Record.objects.values("institution_id", "key").annotate(first=Min("id")).values_list("first", flat=True)
    Record.objects.exclude(pk__in=list(firsts)).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0001_initial'),
        ('finance', '0003_membership_in_designations'),
    ]

    operations = [
        migrations.AddField(
            model_name='idempotencyrecord',
            name='institution',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='registry.institution'),
        ),
        migrations.RunPython(institution_from_token, migrations.RunPython.noop),
    ]
