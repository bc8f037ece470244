"""Triggers that give ``mattran.CatalogueVersion`` a new random token with every write to a catalogue
table, in the writing transaction (see mattran.catalogue, which keeps per-process copies checked
against it). PostgreSQL: one statement-level trigger per table (INSERT, UPDATE, DELETE, TRUNCATE);
SQLite: a row-level trigger per table and operation."""
from django.db import migrations

# Every table the catalogue's copies are read from. A new catalogue table needs its trigger here (a
# later migration); reports/tests/test_catalogue.py checks that every one of these models' tables has it.
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

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION mattran_catalogue_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO mattran_catalogueversion (id, token) VALUES (1, floor(random() * 9.0e18)::bigint)
    ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;
    RETURN NULL;
END
$$
"""
SQLITE_OPERATIONS = ("INSERT", "UPDATE", "DELETE")


def install(apps, schema_editor):
    execute = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        execute(PG_FUNCTION)
        for table in CATALOGUE_TABLES:
            execute(
                f'CREATE TRIGGER catalogue_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
                "FOR EACH STATEMENT EXECUTE FUNCTION mattran_catalogue_changed()"
            )
        execute("INSERT INTO mattran_catalogueversion (id, token) VALUES (1, floor(random() * 9.0e18)::bigint)")
    else:
        for table in CATALOGUE_TABLES:
            for operation in SQLITE_OPERATIONS:
                execute(
                    f'CREATE TRIGGER "catalogue_changed_{table}_{operation.lower()}" AFTER {operation} ON "{table}" '
                    "BEGIN INSERT OR REPLACE INTO mattran_catalogueversion (id, token) VALUES (1, random()); END"
                )
        execute("INSERT INTO mattran_catalogueversion (id, token) VALUES (1, random())")


def uninstall(apps, schema_editor):
    execute = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        for table in CATALOGUE_TABLES:
            execute(f'DROP TRIGGER IF EXISTS catalogue_changed ON "{table}"')
        execute("DROP FUNCTION IF EXISTS mattran_catalogue_changed()")
    else:
        for table in CATALOGUE_TABLES:
            for operation in SQLITE_OPERATIONS:
                execute(f'DROP TRIGGER IF EXISTS "catalogue_changed_{table}_{operation.lower()}"')
    execute("DELETE FROM mattran_catalogueversion")


class Migration(migrations.Migration):
    dependencies = [
        ("mattran", "0008_catalogue_version"),
        ("programs", "0004_plan_purpose_requirements_implementation"),
        ("campaigns", "0002_load_campaigns"),
        ("reports", "0013_aggregate_hot_updates"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
