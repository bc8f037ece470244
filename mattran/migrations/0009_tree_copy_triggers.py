"""Triggers that give the unit tree's ``mattran.CopyVersion`` row (2) a new token with every write to the
tree's tables (see mattran.copies and mattran.copy_triggers)."""
from django.db import migrations

from mattran import copy_triggers

TREE = 2
# Every table a copy of the tree is read from; mattran/tests/test_copies.py checks each has the trigger.
TREE_TABLES = ["mattran_unit", "mattran_unitplacement", "mattran_unitsuccession"]


def install(apps, schema_editor):
    copy_triggers.install(schema_editor, TREE, TREE_TABLES)


def uninstall(apps, schema_editor):
    copy_triggers.uninstall(schema_editor, TREE, TREE_TABLES)


class Migration(migrations.Migration):
    dependencies = [("mattran", "0008_copy_version")]

    operations = [migrations.RunPython(install, uninstall)]
