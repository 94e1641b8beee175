"""Drop the audit log's single-column indexes on object type and id (and their LIKE twins):
lookups go through the (object_type, object_id, occurred_at) index, and the four extra indexes
only slowed every write — a bulk import's audit rows most of all.

SQLite alters a column by rebuilding the table, which drops its triggers: the append-only
trigger of 0002 is put back afterwards."""

import importlib

from django.db import migrations, models

append_only = importlib.import_module("marsad.core.migrations.0002_audit_append_only")


def restore_sqlite_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(append_only.SQLITE_BACKWARD)
        schema_editor.execute(append_only.SQLITE_FORWARD)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_audit_append_only")]

    operations = [
        # Unapplying rebuilds the table again: this first step, undone last, restores it then.
        migrations.RunPython(migrations.RunPython.noop, restore_sqlite_trigger),
        migrations.AlterField(
            model_name="auditentry",
            name="object_id",
            field=models.CharField(blank=True, max_length=64, verbose_name="object id"),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="object_type",
            field=models.CharField(blank=True, max_length=100, verbose_name="object type"),
        ),
        migrations.RunPython(restore_sqlite_trigger, migrations.RunPython.noop),
    ]
