from django.db import migrations


def load(apps, schema_editor):
    from campaigns.loaders import load_campaigns

    load_campaigns(apps)


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0001_initial"), ("programs", "0002_load_catalogue")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
