"""Time saving a full district month of ``bao_cao_thang`` (every commune × 17 indicators) through ``values_save``.

``run()`` answers a list of figures for ``benchmarks/run.py``. Run alone (``python benchmarks/bench_reporting.py``)
it migrates a throwaway SQLite database first. The generated units and values are rolled back.
"""
from __future__ import annotations

import random
import time

from _common import Rollback, setup_django

COMMUNES = 26  # the largest district of Lạng Sơn before 2025 had about this many communes
GOAL_SECONDS = 0.3


def _month(communes, columns, rng: random.Random, scale: int = 1) -> dict:
    """Plausible raw cells as typed in the grid: Vietnamese decimals, mediations within cases, spent within raised."""
    values = {}
    for commune in communes:
        row = {code: str(rng.randint(0, 30) * scale) for code in columns}
        row["quy_vnn_thu"] = f"{rng.randint(20, 90) * scale},5"
        row["quy_vnn_chi"] = f"{rng.randint(0, 19)},25"
        row["hoa_giai_thanh"] = str(min(int(row["hoa_giai_thanh"]), int(row["hoa_giai_vu"])))
        for code, raw in row.items():
            values[(commune.pk, columns[code].pk)] = raw
    return values


def run() -> list[dict]:
    setup_django("bench_reporting_")
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from mattran.models import Officer, OfficerRole, Unit, UnitKind
    from reports.models import ReportForm
    from reports.submissions.services import submission_get_or_create, values_save

    form = ReportForm.objects.filter(code="bao_cao_thang").first()
    if form is None:
        return [{"name": "values_save: a district month of bao_cao_thang", "seconds": None, "goal": GOAL_SECONDS,
                 "note": "skipped: form bao_cao_thang is not loaded"}]
    columns = {fi.indicator.code: fi.indicator for fi in form.form_indicators.select_related("indicator")}
    rng = random.Random(2019)
    results = []
    try:
        with transaction.atomic():
            province = Unit.objects.create(code="BENCH-RP", name="Tỉnh thử", kind=UnitKind.PROVINCE)
            district = Unit.objects.create(code="BENCH-RD", name="Huyện thử", kind=UnitKind.DISTRICT, parent=province)
            communes = [
                Unit.objects.create(code=f"BENCH-RC{c:02d}", name=f"Xã thử {c}", kind=UnitKind.COMMUNE, parent=district)
                for c in range(COMMUNES)
            ]
            user = get_user_model().objects.create_user("bench-reporting", "bench@example.org", "x")
            Officer.objects.create(user=user, unit=district, role=OfficerRole.DISTRICT_OFFICER)
            submission = submission_get_or_create(form=form, unit=district, period="2019-11", by=user)
            cells = len(communes) * len(columns)
            for label, scale in (("first save, every cell new", 1), ("second save, every cell changed", 2)):
                values = _month(communes, columns, rng, scale)
                submission.refresh_from_db()
                started = time.perf_counter()
                result = values_save(submission=submission, values=values, by=user, expected_version=submission.version)
                seconds = time.perf_counter() - started
                assert result.saved, [str(e) for e in result.errors]
                results.append({
                    "name": f"values_save: a district month of bao_cao_thang ({label})",
                    "seconds": round(seconds, 3), "goal": GOAL_SECONDS,
                    "note": f"{COMMUNES} communes × {len(columns)} indicators = {cells} cells; "
                            f"{len(result.changes)} changed; history kept",
                })
            raise Rollback
    except Rollback:
        pass
    return results


if __name__ == "__main__":
    for figure in run():
        print(f"{figure['name']}: {figure['seconds']} s (goal < {figure['goal']} s) — {figure['note']}")
