# Step 2 of 2: see 0004.
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('finance', '0004_idempotency_per_institution'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='idempotencyrecord',
            name='idempotency_key_per_token',
        ),
        migrations.AlterField(
            model_name='idempotencyrecord',
            name='institution',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='registry.institution'),
        ),
        migrations.AddConstraint(
            model_name='idempotencyrecord',
            constraint=models.UniqueConstraint(fields=('institution', 'key'), name='idempotency_key_per_institution'),
        ),
        migrations.DeleteModel(
            name='RateWindow',
        ),
        migrations.CreateModel(
            name='ApiRateCounter',
            fields=[
                ('token', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='finance.apitoken')),
                ('seconds', models.JSONField(default=dict)),
            ],
        ),
    ]
