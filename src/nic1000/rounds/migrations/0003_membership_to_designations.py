# The Membership model moved to the designations app, which keeps its table: remove it from rounds' state only.
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('designations', '0001_initial'),
        ('finance', '0003_membership_in_designations'),
        ('monitoring', '0003_membership_in_designations'),
        ('rounds', '0002_round_config_evaluation_selection'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='Membership')],
            database_operations=[],
        ),
    ]
