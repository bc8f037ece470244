from django.db import migrations


def load(apps, schema_editor):
    from reports.loaders import load_reporting

    load_reporting(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("programs", "0002_load_catalogue"),
        ("campaigns", "0002_load_campaigns"),
    ]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
