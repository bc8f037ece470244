"""Time importing a province's yearly festival sheet (2,300 residential areas) through ``import_values``.

``run()`` answers a list of figures for ``benchmarks/run.py``. Run alone (``python benchmarks/bench_import.py``)
it migrates a throwaway SQLite database first. The generated units and values are rolled back.
"""
from __future__ import annotations

import io
import tempfile
import time
from pathlib import Path

from _common import Rollback, setup_django

AREAS = 2_300
DISTRICTS = 11
COMMUNES = 200
GOAL_SECONDS = 3.0


def _tree():
    """A province of 11 districts, 200 communes and 2,300 areas, in a few bulk inserts."""
    from mattran.models import Unit, UnitKind

    province = Unit.objects.create(code="BENCH-P", name="Tỉnh thử", kind=UnitKind.PROVINCE)
    districts = Unit.objects.bulk_create(
        Unit(code=f"BENCH-D{d:02d}", name=f"Huyện thử {d}", kind=UnitKind.DISTRICT, parent=province)
        for d in range(DISTRICTS)
    )
    communes = Unit.objects.bulk_create(
        Unit(code=f"BENCH-C{c:03d}", name=f"Xã thử {c}", kind=UnitKind.COMMUNE, parent=districts[c % DISTRICTS])
        for c in range(COMMUNES)
    )
    Unit.objects.bulk_create(
        Unit(code=f"BENCH-A{a:04d}", name=f"Thôn thử {a}", kind=UnitKind.AREA, parent=communes[a % COMMUNES])
        for a in range(AREAS)
    )
    Unit.refresh_ancestor_columns(Unit.objects.filter(code__startswith="BENCH-"))
    return province


def _festival_sheet(path: Path, form) -> None:
    from openpyxl import Workbook

    codes = [fi.indicator.code for fi in form.form_indicators.select_related("indicator").order_by("order")]
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["ma_don_vi", *codes])
    for a in range(AREAS):
        held = a % 20 != 0
        row = {
            "ngay_hoi_to_chuc": "Có" if held else "Không",
            "ngay_hoi_ngay": f"{1 + a % 18:02d}/11/2019" if held else None,
            "ngay_hoi_le_va_hoi": "x" if held and a % 3 else None,
            "ngay_hoi_bua_com": "x" if held and a % 2 else None,
        }
        sheet.append([f"BENCH-A{a:04d}", *(row.get(code) for code in codes)])
    book.save(path)


def run() -> list[dict]:
    setup_django("bench_import_")
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import transaction

    from reports.models import DataValue, ReportForm

    form = ReportForm.objects.filter(code="ngay_hoi").first()
    if form is None:
        return [{"name": "import_values: 2,300-row festival sheet", "seconds": None, "goal": GOAL_SECONDS,
                 "note": "skipped: form ngay_hoi is not loaded"}]
    results = []
    try:
        with transaction.atomic():
            _tree()
            admin = get_user_model().objects.create_superuser("bench-import", "bench@example.org", "x")
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "ngay_hoi_2019.xlsx"
                _festival_sheet(path, form)
                out = io.StringIO()
                started = time.perf_counter()
                call_command("import_values", str(path), "--form", "ngay_hoi", "--period", "2019",
                             "--as", admin.username, stdout=out)
                seconds = time.perf_counter() - started
                stored = DataValue.objects.filter(unit__code__startswith="BENCH-A", period="2019").count()
                results.append({
                    "name": "import_values: 2,300-row festival sheet (.xlsx, 11 districts)",
                    "seconds": round(seconds, 3), "goal": GOAL_SECONDS,
                    "note": f"{stored} values stored; {out.getvalue().strip().splitlines()[0]}",
                })
                out = io.StringIO()
                started = time.perf_counter()
                call_command("import_values", str(path), "--form", "ngay_hoi", "--period", "2019",
                             "--as", admin.username, "--dry-run", stdout=out)
                results.append({
                    "name": "import_values --dry-run: same sheet again (all unchanged)",
                    "seconds": round(time.perf_counter() - started, 3), "goal": GOAL_SECONDS,
                    "note": out.getvalue().strip().splitlines()[0],
                })
            raise Rollback
    except Rollback:
        pass
    return results


if __name__ == "__main__":
    for figure in run():
        print(f"{figure['name']}: {figure['seconds']} s (goal < {figure['goal']} s) — {figure['note']}")
