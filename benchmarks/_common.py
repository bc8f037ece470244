"""What the benchmark modules share: a throwaway database and Django set up on it."""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class Rollback(Exception):
    """Raised at the end of a benchmark's transaction so that its generated rows are rolled back."""


def setup_django(prefix: str) -> None:
    """Configure Django if the runner has not, on a migrated throwaway SQLite database (or DATABASE_URL's)."""
    import django
    from django.apps import apps

    if apps.ready:
        return
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mattran.settings.test")
    if "DATABASE_URL" not in os.environ:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix=prefix)}/bench.sqlite3"
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def throwaway_postgres(url: str, suffix: str, keep: bool = False):
    """A database of our own, ``<name>_<suffix>`` on DATABASE_URL's server: ``(url, drop, reused)``.

    With ``keep`` it is neither dropped at the end nor rebuilt if it exists (``reused`` is then True).
    """
    import psycopg2
    from psycopg2 import sql

    base, _sep, name = url.rpartition("/")
    name = name.split("?", 1)[0] or "postgres"
    bench = f"{name}_{suffix}"

    def admin(*statements):
        conn = psycopg2.connect(f"{base}/postgres")
        conn.autocommit = True  # CREATE/DROP DATABASE cannot run in a transaction
        try:
            with conn.cursor() as cur:
                for statement in statements:
                    cur.execute(sql.SQL(statement).format(sql.Identifier(bench)))
        finally:
            conn.close()

    conn = psycopg2.connect(f"{base}/postgres")
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [bench])
            exists = cur.fetchone() is not None
    finally:
        conn.close()
    reused = keep and exists
    if not reused:
        admin("DROP DATABASE IF EXISTS {}", "CREATE DATABASE {}")

    def drop():
        from django.db import connections

        connections.close_all()
        if not keep:
            admin("DROP DATABASE IF EXISTS {}")

    return f"{base}/{bench}", drop, reused
