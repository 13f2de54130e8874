# The designation (membership) table moves from the rounds app's state to its own app; the table stays.
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('registry', '0002_reference_data'),
        ('rounds', '0002_round_config_evaluation_selection'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Membership',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('sector', models.CharField(blank=True, max_length=50)),
                        ('status', models.CharField(choices=[('active', 'Active'), ('removed', 'Removed'), ('ended', 'Period ended')], db_index=True, default='active', max_length=10)),
                        ('selected_on', models.DateField()),
                        ('ended_on', models.DateField(blank=True, null=True)),
                        ('removal_reason', models.CharField(blank=True, choices=[('mass_production_failed', 'Failed mass production of the technology'), ('weak_marketability', 'Weak marketability'), ('going_concern', 'Severe damage to going-concern value'), ('other', 'Other')], max_length=30)),
                        ('removal_note', models.TextField(blank=True)),
                        ('body', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='memberships', to='registry.body')),
                        ('company', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='memberships', to='registry.company')),
                        ('round', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='memberships', to='rounds.round')),
                    ],
                    options={
                        'db_table': 'rounds_membership',
                        'ordering': ['-selected_on', 'id'],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('status', 'active')), fields=('company',), name='one_active_membership_per_company')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
