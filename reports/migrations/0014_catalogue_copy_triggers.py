"""Triggers that give the catalogue's ``mattran.CopyVersion`` row (1) a new token with every write to a
catalogue table (see mattran.copies and mattran.copy_triggers)."""
from django.db import migrations

from mattran import copy_triggers

CATALOGUE = 1
# Every table a copy of the catalogue is read from; reports/tests/test_copies.py checks that it is
# exactly the tables of programs' and campaigns' models and of the forms.
CATALOGUE_TABLES = [
    "programs_actionplan",
    "programs_workprogram",
    "programs_task",
    "programs_ratingscale",
    "programs_ratinglevel",
    "programs_indicator",
    "programs_target",
    "campaigns_campaign",
    "campaigns_campaign_indicators",
    "reports_reportform",
    "reports_formindicator",
]


def install(apps, schema_editor):
    copy_triggers.install(schema_editor, CATALOGUE, CATALOGUE_TABLES)


def uninstall(apps, schema_editor):
    copy_triggers.uninstall(schema_editor, CATALOGUE, CATALOGUE_TABLES)


class Migration(migrations.Migration):
    dependencies = [
        ("mattran", "0009_tree_copy_triggers"),
        ("programs", "0004_plan_purpose_requirements_implementation"),
        ("campaigns", "0002_load_campaigns"),
        ("reports", "0013_aggregate_hot_updates"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
