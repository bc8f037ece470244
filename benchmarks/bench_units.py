"""Time ``import_units --all`` (63 provinces, 696 districts, 10,051 communes) on a throwaway database.

SQLite in a temporary folder, or, when DATABASE_URL points to PostgreSQL, a database of its own
on that server (``<name>_bench_units``), created and dropped here. Goal: under a minute (issue 2).
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

from _common import throwaway_postgres

ROOT = Path(__file__).resolve().parent.parent
GOAL_SECONDS = 60.0


def _setup_django():
    """A fresh migrated database of our own; answers a clean-up function."""
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mattran.settings.test")
    url = os.environ.get("DATABASE_URL", "")
    cleanup = lambda: None  # noqa: E731
    if url.startswith(("postgres", "psql")):
        os.environ["DATABASE_URL"], cleanup, _reused = throwaway_postgres(url, "bench_units")
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='bench_units_')}/bench.sqlite3"
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return cleanup


def run() -> list[dict]:
    from django.apps import apps

    if apps.ready:  # another benchmark set Django up in this process: we need an empty unit tree
        return [{"name": "import_units --all", "seconds": None, "goal": GOAL_SECONDS,
                 "note": "bỏ qua: cần tiến trình riêng (chạy qua benchmarks/run.py)"}]
    cleanup = _setup_django()
    from django.core.management import call_command

    from mattran.models import Unit

    try:
        started = time.perf_counter()
        call_command("import_units", "--all", stdout=StringIO())
        first = time.perf_counter() - started
        count = Unit.objects.count()
        started = time.perf_counter()
        call_command("import_units", "--all", stdout=StringIO())
        again = time.perf_counter() - started
        assert Unit.objects.count() == count == 63 + 696 + 10_051
    finally:
        cleanup()
    return [
        {"name": "import_units --all (empty database)", "seconds": first, "goal": GOAL_SECONDS,
         "note": f"{count:,} units: 63 provinces, 696 districts, 10,051 communes"},
        {"name": "import_units --all again (nothing changes)", "seconds": again, "goal": GOAL_SECONDS,
         "note": "idempotent re-run"},
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
