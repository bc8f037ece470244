"""The triggers that keep ``mattran.CopyVersion`` (see mattran.copies), installed by migrations.

PostgreSQL: one statement-level trigger per table (INSERT, UPDATE, DELETE, TRUNCATE) calling one
function with the source's row id; SQLite: a row-level trigger per table and operation. Migrations call
these, so a change here must keep what earlier migrations installed working.
"""
# ruff: noqa: S608 — the SQL is built from the migrations' own table names and int() source ids, no input

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION mattran_copy_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO mattran_copyversion (id, token) VALUES (TG_ARGV[0]::bigint, floor(random() * 9.0e18)::bigint)
    ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;
    RETURN NULL;
END
$$
"""
SQLITE_OPERATIONS = ("INSERT", "UPDATE", "DELETE")
TRIGGER = "copy_changed"


def install(schema_editor, source: int, tables: list[str]) -> None:
    """Triggers on ``tables`` that give ``source``'s row a new token, and its first token."""
    execute = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        execute(PG_FUNCTION)
        for table in tables:
            execute(
                f'CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
                f"FOR EACH STATEMENT EXECUTE FUNCTION mattran_copy_changed('{int(source)}')"
            )
        execute(f"INSERT INTO mattran_copyversion (id, token) VALUES ({int(source)}, floor(random() * 9.0e18)::bigint)")
    else:
        for table in tables:
            for operation in SQLITE_OPERATIONS:
                execute(
                    f'CREATE TRIGGER "{TRIGGER}_{table}_{operation.lower()}" AFTER {operation} ON "{table}" '
                    f"BEGIN INSERT OR REPLACE INTO mattran_copyversion (id, token) VALUES ({int(source)}, random()); END"
                )
        execute(f"INSERT INTO mattran_copyversion (id, token) VALUES ({int(source)}, random())")


def uninstall(schema_editor, source: int, tables: list[str]) -> None:
    execute = schema_editor.execute
    for table in tables:
        if schema_editor.connection.vendor == "postgresql":
            execute(f'DROP TRIGGER IF EXISTS {TRIGGER} ON "{table}"')
        else:
            for operation in SQLITE_OPERATIONS:
                execute(f'DROP TRIGGER IF EXISTS "{TRIGGER}_{table}_{operation.lower()}"')
    execute(f"DELETE FROM mattran_copyversion WHERE id = {int(source)}")


def tables_with_trigger(connection) -> set[str]:
    """The tables that have the trigger (for the tests that check every source table has it)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger WHERE tgname = '{TRIGGER}'")
        else:
            cursor.execute(f"SELECT DISTINCT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '{TRIGGER}_%'")
        return {name.strip('"') for (name,) in cursor.fetchall()}
