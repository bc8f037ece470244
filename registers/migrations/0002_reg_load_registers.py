from django.db import migrations


def load(apps, schema_editor):
    from registers.loaders import load_registers

    load_registers(apps)


class Migration(migrations.Migration):

    dependencies = [
        ("registers", "0001_reg_initial"),
        ("programs", "0002_load_catalogue"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
