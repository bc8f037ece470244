from django.db import migrations


def fillfactor(percent):
    """PostgreSQL only: leave room on each page of the roll-up table, so a yearly rerun that changes
    a row's figures (no index covers them) updates it in place (a HOT update: no index entry, and
    the old version is pruned on the page without waiting for VACUUM)."""

    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE reports_indicatoraggregate SET (fillfactor = {int(percent)})")

    return apply


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0012_merge_indexes_and_plans"),
    ]

    operations = [
        # Applies to pages written from now on; existing rows move as they are next rewritten.
        migrations.RunPython(fillfactor(85), fillfactor(100)),
    ]
