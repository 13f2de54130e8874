# Memberships now belong to the designations app (same table): only the migration state changes.
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('designations', '0001_initial'),
        ('monitoring', '0002_inspection_explained_at'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='inspectionresult',
                    name='membership',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='designations.membership'),
                ),
                migrations.AlterField(
                    model_name='removal',
                    name='membership',
                    field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='removal', to='designations.membership'),
                ),
                migrations.AlterField(
                    model_name='supportcase',
                    name='membership',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='designations.membership'),
                ),
            ],
            database_operations=[],
        ),
    ]
