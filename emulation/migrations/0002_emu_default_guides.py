from django.db import migrations


def load(apps, schema_editor):
    from emulation.loaders import load_default_guides

    load_default_guides(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("emulation", "0001_emu_initial"),
        ("programs", "0002_load_catalogue"),
    ]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
