# Memberships now belong to the designations app (same table): only the migration state changes.
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('designations', '0001_initial'),
        ('finance', '0002_products'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='application',
                    name='membership',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='designations.membership'),
                ),
            ],
            database_operations=[],
        ),
    ]
