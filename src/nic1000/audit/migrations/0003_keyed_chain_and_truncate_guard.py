"""The chain becomes keyed (HMAC-SHA256, settings.AUDIT_KEY), and on PostgreSQL TRUNCATE is refused like UPDATE
and DELETE.

Existing rows are NOT re-hashed: re-hashing would need the key at migration time and, worse, would bless
whatever a database writer had already changed (an edited row re-hashed with the key looks genuine). They keep
their plain SHA-256 hash and `AuditHead.legacy_seq` records where they end; `audit verify` checks them unkeyed
and everything after keyed. The first keyed row signs the last legacy row's hash, so editing a legacy row still
breaks the chain; anchors record legacy_seq, so moving the boundary up is caught too.

The TRUNCATE guard lets TRUNCATE through in a test database only (name starting with `test_`, as Django
creates them), because test flushes use TRUNCATE; a test can switch that allowance off for its transaction
with `SET LOCAL nic1000.audit_guard_tests = 'on'`.
"""

from django.db import migrations, models

PG_TRUNCATE_GUARD = """
CREATE OR REPLACE FUNCTION audit_entry_no_truncate() RETURNS trigger AS $$
BEGIN
  IF left(current_database(), 5) = 'test_'
     AND coalesce(current_setting('nic1000.audit_guard_tests', true), '') <> 'on' THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION 'audit entries are append-only (TRUNCATE refused)';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_entry_no_truncate
  BEFORE TRUNCATE ON audit_auditentry
  FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_no_truncate();
"""
PG_TRUNCATE_UNGUARD = """
DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_entry_no_truncate();
"""


def mark_legacy(apps, schema_editor):
    # Everything written so far (the head's seq, even if a tail was already cut: verify reports that) is legacy.
    AuditHead = apps.get_model("audit", "AuditHead")
    AuditHead.objects.filter(pk=1).update(legacy_seq=models.F("seq"))


def guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_TRUNCATE_GUARD)


def unguard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_TRUNCATE_UNGUARD)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_head_and_guard")]
    operations = [
        migrations.AddField(
            model_name="audithead", name="legacy_seq", field=models.BigIntegerField(default=0)
        ),
        migrations.RunPython(mark_legacy, migrations.RunPython.noop),
        migrations.RunPython(guard, unguard),
    ]
