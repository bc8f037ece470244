"""Time ``seed_demo`` (2016–2020 for Lạng Sơn: ~2,300 areas, ~245,000 values) on a throwaway SQLite database.

Always SQLite in a temporary folder (the demo's own target: "well under a minute on SQLite").
Reports the data generation and the target recompute (``reports.targets.runs.years_recompute_inline``,
when it exists) separately.
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_SECONDS = 60.0


def run() -> list[dict]:
    import django
    from django.apps import apps

    if apps.ready:
        return [{"name": "seed_demo", "seconds": None, "goal": GOAL_SECONDS,
                 "note": "bỏ qua: cần tiến trình riêng (chạy qua benchmarks/run.py)"}]
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mattran.settings.test")
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='bench_demo_')}/bench.sqlite3"
    django.setup()
    from django.core.management import call_command

    from demo.data import seed_demo

    call_command("migrate", verbosity=0, interactive=False)
    call_command("import_units", "--province", "20", stdout=StringIO())
    started = time.perf_counter()
    summary = seed_demo()
    total = time.perf_counter() - started
    started = time.perf_counter()
    again = seed_demo(recompute=False)
    rerun = time.perf_counter() - started
    rows = [
        {"name": "seed_demo (2016–2020, fresh database)", "seconds": total, "goal": GOAL_SECONDS,
         "note": f"{summary.areas_created:,} areas, {summary.submissions_created:,} submissions, "
                 f"{summary.values_created:,} values; data {summary.seconds_data:.1f} s, "
                 f"target recompute {summary.seconds_recompute:.1f} s"
                 + ("" if summary.recomputed else " (no years_recompute_inline yet)")},
        {"name": "seed_demo again (nothing to add)", "seconds": rerun, "goal": GOAL_SECONDS,
         "note": f"{again.values_created} values added"},
    ]
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
