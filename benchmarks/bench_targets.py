"""Targets at national scale on PostgreSQL: full recompute, roll-up and incremental recompute (issue 4).

Builds, on a database of its own (``<name>_bench_targets`` on DATABASE_URL's server, dropped at
the end), every province, district and commune of ``vietnam-provinces`` (``import_units --all``),
10 residential areas per commune (about 100,000), one year of festival and rating values and
twelve months of ``bao_cao_thang`` for every commune, with INSERT … SELECT in the database. Then
it times, in the same run:

* the full recompute of the three targets next to one hand-written GROUPING SETS aggregate per
  target over the same data (goal: within 1.5×), and checks both give the same numbers;
* the aggregate roll-up (every indicator × every ancestor × months…year) next to the raw SQL
  SELECT of the same roll-up (goal: within 1.5×), run first on an empty table, then again over
  the rows it wrote;
* the incremental recompute after one district's approval, and after its submission (goal: under 50 ms);
* peak memory of the process (goal: under 300 MB).
"""
from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path
from unittest import mock

from _common import throwaway_postgres

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2019
AREAS_PER_COMMUNE = 10


def _timed(fn, repeat=1):
    """The best of ``repeat`` runs, in seconds, and the last result."""
    best, value = None, None
    for _ in range(repeat):
        started = time.perf_counter()
        value = fn()
        elapsed = time.perf_counter() - started
        best = elapsed if best is None else min(best, elapsed)
    return best, value


def _sql(statement, params=None, fetch=False):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])
        return cursor.fetchall() if fetch else cursor.rowcount


def build() -> dict:
    """The national data set, built in the database (INSERT … SELECT, no Python loop over rows)."""
    from django.utils import timezone

    from mattran.services import units_import_from_package
    from programs.models import Indicator, RatingLevel
    from reports.loaders import MONTHLY_INDICATORS
    from reports.models import ReportForm, Submission

    counts = {}
    started = time.perf_counter()
    units_import_from_package()
    _sql(
        "INSERT INTO mattran_unit (code, name, kind, division_type, parent_id, province_id, district_id, commune_id)"
        " SELECT c.code || '-' || g, 'Khu dân cư ' || g, 'AREA', 'thôn', c.id, c.province_id, c.district_id, c.id"
        " FROM mattran_unit c CROSS JOIN generate_series(1, %s) g WHERE c.kind = 'COMMUNE'",
        [AREAS_PER_COMMUNE],
    )
    _sql("UPDATE mattran_unit SET area_id = id WHERE kind = 'AREA'")
    # The dated tree: each area's one placement (the import gave the divisions theirs).
    _sql(
        "INSERT INTO mattran_unitplacement (unit_id, kind, parent_id, province_id, district_id, commune_id, area_id,"
        " valid_from, valid_to) SELECT id, kind, parent_id, province_id, district_id, commune_id, area_id, valid_from,"
        " valid_to FROM mattran_unit WHERE kind = 'AREA'"
    )
    counts["units"] = _sql("SELECT kind, COUNT(*) FROM mattran_unit GROUP BY kind ORDER BY kind", fetch=True)

    forms = {f.code: f for f in ReportForm.objects.all()}
    now = timezone.now()
    districts = list(_sql("SELECT id FROM mattran_unit WHERE kind = 'DISTRICT'", fetch=True))
    provinces = list(_sql("SELECT id FROM mattran_unit WHERE kind = 'PROVINCE'", fetch=True))
    submissions = []
    for (district_id,) in districts:
        for code in ("ngay_hoi", "xep_loai_bctmt", "xep_loai_mttq_xa"):
            submissions.append(Submission(form=forms[code], unit_id=district_id, period=str(YEAR), year=YEAR, status="APPROVED"))
        for month in range(1, 13):
            submissions.append(Submission(
                form=forms["bao_cao_thang"], unit_id=district_id, period=f"{YEAR}-{month:02d}", year=YEAR, status="APPROVED",
            ))
    for (province_id,) in provinces:
        submissions.append(Submission(form=forms["xep_loai_mttq_huyen"], unit_id=province_id, period=str(YEAR), year=YEAR, status="APPROVED"))
    Submission.objects.bulk_create(submissions, batch_size=5000)
    # One district's festival record waits for approval: the incremental benchmark approves it.
    Submission.objects.filter(form=forms["ngay_hoi"], unit_id=districts[0][0]).update(status="SUBMITTED")

    ind = {i.code: i.pk for i in Indicator.objects.all()}
    levels = {(lv.scale.code, lv.code): lv.pk for lv in RatingLevel.objects.select_related("scale")}
    insert = (
        "INSERT INTO reports_datavalue (indicator_id, unit_id, period, year, submission_id, value_number, value_bool,"
        " rating_level_id, value_text, changed_since_approval, updated_at) "
    )
    # Festival: about 97% of areas held it; a few did not report.
    _sql(insert + (
        "SELECT %s, a.id, %s, %s, s.id, NULL, (hashtext(a.code) %% 100) < 97, NULL, '', false, %s"
        " FROM mattran_unit a JOIN reports_submission s ON s.unit_id = a.district_id AND s.form_id = %s AND s.period = %s"
        " WHERE a.kind = 'AREA' AND (hashtext(a.code || 'r') %% 100) <> 0"
    ), [ind["ngay_hoi_to_chuc"], str(YEAR), YEAR, now, forms["ngay_hoi"].pk, str(YEAR)])
    bctmt = [levels[("bctmt", c)] for c in ("tot", "kha", "trung_binh", "yeu")]
    _sql(insert + (
        "SELECT %s, a.id, %s, %s, s.id, NULL, NULL,"
        " (ARRAY[%s, %s, %s, %s])[1 + abs(hashtext(a.code || 'b')) %% 4], '', false, %s"
        " FROM mattran_unit a JOIN reports_submission s ON s.unit_id = a.district_id AND s.form_id = %s AND s.period = %s"
        " WHERE a.kind = 'AREA'"
    ), [ind["xep_loai_bctmt"], str(YEAR), YEAR, *bctmt, now, forms["xep_loai_bctmt"].pk, str(YEAR)])
    mttq = [levels[("mttq", c)] for c in ("vung_manh", "kha", "trung_binh", "yeu")]
    for kind, form, submitter in (("COMMUNE", "xep_loai_mttq_xa", "district_id"), ("DISTRICT", "xep_loai_mttq_huyen", "province_id")):
        _sql(insert + (
            "SELECT %s, u.id, %s, %s, s.id, NULL, NULL,"
            " (ARRAY[%s, %s, %s, %s])[1 + abs(hashtext(u.code || 'm')) %% 4], '', false, %s"
            f" FROM mattran_unit u JOIN reports_submission s ON s.unit_id = u.{submitter} AND s.form_id = %s AND s.period = %s"
            " WHERE u.kind = %s"
        ), [ind["xep_loai_mttq"], str(YEAR), YEAR, *mttq, now, forms[form].pk, str(YEAR), kind])
    monthly_ids = [ind[c] for c in MONTHLY_INDICATORS]
    _sql(insert + (
        "SELECT i, c.id, s.period, %s, s.id, (abs(hashtext(c.code || s.period || i)) %% 50), NULL, NULL, '', false, %s"
        " FROM mattran_unit c JOIN reports_submission s ON s.unit_id = c.district_id AND s.form_id = %s"
        " CROSS JOIN unnest(%s::bigint[]) AS i WHERE c.kind = 'COMMUNE'"
    ), [YEAR, now, forms["bao_cao_thang"].pk, monthly_ids])
    # Steady state, as a database in use: statistics, visibility map and hint bits set now, not by
    # whichever timed statement first reads the fresh rows (or by autovacuum in the middle of one).
    _sql("VACUUM ANALYZE")
    counts["values"] = _sql("SELECT COUNT(*) FROM reports_datavalue", fetch=True)[0][0]
    counts["build_seconds"] = round(time.perf_counter() - started, 1)
    return counts


def census() -> dict:
    """The figures of a kept data set (BENCH_KEEP_DB=1) instead of building it again."""
    return {
        "units": _sql("SELECT kind, COUNT(*) FROM mattran_unit GROUP BY kind ORDER BY kind", fetch=True),
        "values": _sql("SELECT COUNT(*) FROM reports_datavalue", fetch=True)[0][0],
        "build_seconds": "(kept from an earlier run)",
    }


RAW_TARGET_SQL = """
SELECT COALESCE(commune_id, district_id, province_id) AS unit_id, COUNT(*) AS denominator,
       COUNT(v.unit_id) AS reported, COUNT(*) FILTER (WHERE v.met) AS met,
       COUNT(*) FILTER (WHERE v.status = 'SUBMITTED') AS not_approved
FROM mattran_unitplacement u
LEFT JOIN (
    SELECT dv.unit_id, s.status, {met} AS met
    FROM reports_datavalue dv JOIN reports_submission s ON s.id = dv.submission_id
    LEFT JOIN programs_ratinglevel rl ON rl.id = dv.rating_level_id
    WHERE dv.indicator_id = %s AND dv.period = %s AND s.status IN ('SUBMITTED', 'APPROVED')
      AND COALESCE(dv.value_bool::int, dv.rating_level_id) IS NOT NULL
) v ON v.unit_id = u.unit_id
WHERE u.kind = ANY(%s) AND (u.valid_from IS NULL OR u.valid_from <= %s) AND (u.valid_to IS NULL OR u.valid_to >= %s)
GROUP BY GROUPING SETS ((province_id), (district_id), (commune_id))
HAVING COALESCE(commune_id, district_id, province_id) IS NOT NULL
"""

RAW_ROLLUP_SQL = """
WITH map(src, dst, src_end, src_span, src_day) AS (VALUES {pairs}),
per_unit AS (
    SELECT indicator_id, unit_id, province_id, district_id, commune_id, area_id, dst,
           SUM(CASE WHEN aggregation = 'SUM' OR rn = 1 THEN v ELSE 0 END) AS v
    FROM (
        SELECT dv.indicator_id, dv.unit_id, u.province_id, u.district_id, u.commune_id, u.area_id, m.dst, i.aggregation,
               COALESCE(dv.value_number, dv.value_bool::int) AS v,
               ROW_NUMBER() OVER (PARTITION BY dv.indicator_id, dv.unit_id, m.dst ORDER BY m.src_end DESC, m.src_span) AS rn
        FROM reports_datavalue dv
        JOIN reports_submission s ON s.id = dv.submission_id
        JOIN programs_indicator i ON i.id = dv.indicator_id
        JOIN map m ON m.src = dv.period
        JOIN mattran_unitplacement u ON u.unit_id = dv.unit_id
          AND (u.valid_from IS NULL OR u.valid_from <= m.src_day) AND (u.valid_to IS NULL OR u.valid_to >= m.src_day)
        WHERE dv.year = %s AND s.status IN ('SUBMITTED', 'APPROVED') AND i.value_type IN ('INTEGER', 'DECIMAL', 'BOOLEAN')
          AND (dv.value_number IS NOT NULL OR dv.value_bool IS NOT NULL)
    ) ranked
    GROUP BY indicator_id, unit_id, province_id, district_id, commune_id, area_id, dst
)
SELECT COUNT(*), SUM(value) FROM (
    SELECT indicator_id, COALESCE(area_id, commune_id, district_id, province_id) AS unit_id, dst, SUM(v) AS value
    FROM per_unit
    GROUP BY GROUPING SETS ((indicator_id, province_id, dst), (indicator_id, district_id, dst),
                            (indicator_id, commune_id, dst), (indicator_id, area_id, dst))
) rolled WHERE unit_id IS NOT NULL
"""


def _raw_targets(targets):
    rows = {}
    for target in targets:
        if target.condition == "IS_TRUE":
            met = "dv.value_bool"
        else:
            met = f"rl.rank >= {int(target.rating_level.rank)}"
        end = f"{YEAR}-12-31"
        result = _sql(RAW_TARGET_SQL.format(met=met), [target.indicator_id, str(YEAR), list(target.counted_kinds), end, end], fetch=True)
        rows[target.code] = {r[0]: (r[1], r[2], r[3], r[4]) for r in result}
    return rows


class _Echo(list):
    """A list that also prints each figure to stderr as it comes, so a long run shows progress."""

    def append(self, row):
        print(row, file=sys.stderr, flush=True)
        super().append(row)


def measure() -> list[dict]:
    from django.db import transaction
    from django.utils import timezone

    from reports.models import ComputationRun, IndicatorAggregate, Submission, TargetResult
    from reports.targets import incremental, rollups, runs, sql

    results = _Echo()
    targets = list(sql.targets_of_year(YEAR))

    # Target by target, each recompute next to its raw SQL, best of 5 each: both see the same
    # machine (on a busy one, a slow second can fall on either side of a whole-set timing).
    full_seconds = raw_seconds = 0.0
    raw = {}
    for target in targets:
        full_runs, raw_runs = [], []
        for _ in range(5):
            full_runs.append(_timed(lambda t=target: sql.target_results_compute(target=t, year=YEAR))[0])
            seconds, rows = _timed(lambda t=target: _raw_targets([t]))
            raw_runs.append(seconds)
        full_seconds += min(full_runs)
        raw_seconds += min(raw_runs)
        raw.update(rows)
    mismatches = 0
    stored = {
        (code, unit): (den, den - nr, num, na)
        for code, unit, den, nr, num, na in TargetResult.objects.filter(year=YEAR).values_list(
            "target__code", "unit_id", "denominator", "not_reported", "numerator", "not_approved",
        )
    }
    for code, by_unit in raw.items():
        for unit, values in by_unit.items():
            mismatches += stored.get((code, unit)) != values
    mismatches += len(stored) - sum(len(v) for v in raw.values())
    results.append({
        "name": "full recompute, 3 targets (national)", "seconds": round(full_seconds, 3),
        "goal": round(1.5 * raw_seconds, 3),
        "note": f"{len(stored):,} TargetResult rows; raw SQL {raw_seconds:.3f} s; "
                f"ratio {full_seconds / raw_seconds:.2f}× (goal ≤ 1.5×); {mismatches} mismatches with raw SQL",
    })
    results.append({"name": "raw SQL aggregate, 3 targets (GROUPING SETS)", "seconds": round(raw_seconds, 3),
                    "goal": None, "note": "hand-written baseline, same data, same run"})

    pairs = rollups._period_map(YEAR)
    values_sql = ", ".join(f"('{s}', '{d}', {e}, {n}, DATE '{day:%Y-%m-%d}')" for s, d, e, n, day in pairs)
    raw_rollup_seconds, raw_rollup = _timed(lambda: _sql(RAW_ROLLUP_SQL.format(pairs=values_sql), [YEAR], fetch=True))
    first_seconds, written = _timed(lambda: rollups.indicator_aggregates_compute(year=YEAR))
    again_seconds, _ = _timed(lambda: rollups.indicator_aggregates_compute(year=YEAR))
    stored_count = IndicatorAggregate.objects.filter(year=YEAR).count()
    results.append({
        "name": "aggregate roll-up, first run (insert)", "seconds": round(first_seconds, 3),
        "goal": round(1.5 * raw_rollup_seconds, 3),
        "note": f"{stored_count:,} IndicatorAggregate rows written (the raw SELECT's {raw_rollup[0][0]:,} less the rows "
                f"that only repeat a reported value, read from the value itself); ratio {first_seconds / raw_rollup_seconds:.2f}×",
    })
    results.append({
        "name": "aggregate roll-up, rerun (the year replaced)", "seconds": round(again_seconds, 3),
        "goal": round(1.5 * raw_rollup_seconds, 3), "note": f"ratio {again_seconds / raw_rollup_seconds:.2f}×",
    })
    results.append({"name": "raw SQL roll-up SELECT", "seconds": round(raw_rollup_seconds, 3), "goal": None,
                    "note": "hand-written baseline: the same GROUP BY, no writes"})

    # What the Celery task does; it also leaves the year DONE, the state every incremental run
    # after the first full run finds (the nightly run and each change's queued run keep it so).
    full_year_seconds, _ = _timed(lambda: runs.year_recompute(year=YEAR))
    results.append({"name": "year_recompute (3 targets + roll-up, run record)", "seconds": round(full_year_seconds, 3),
                    "goal": None, "note": "what the Celery task does"})

    submission = (
        Submission.objects.select_related("unit", "form").filter(form__code="ngay_hoi").order_by("unit__code").first()
    )

    def change(before, after):
        """The district's festival record goes from ``before`` to ``after``, as the services do it."""
        Submission.objects.filter(pk=submission.pk).update(status=before)
        with mock.patch.object(incremental, "enqueue_year_recompute"), transaction.atomic():
            Submission.objects.filter(pk=submission.pk).update(status=after)
            submission.status = after
            started = time.perf_counter()
            incremental.submission_changed(submission, previous_status=before)
            return time.perf_counter() - started

    approval = min(change("SUBMITTED", "APPROVED") for _ in range(5))
    results.append({
        "name": "incremental recompute after one district's approval", "seconds": round(approval, 4), "goal": 0.05,
        "note": f"district {submission.unit.code}: its festival target rows, then its province's from its districts' rows "
                "(an approval leaves the roll-ups as they are: submitted values already count); best of 5",
    })
    submission_seconds = min(change("DRAFT", "SUBMITTED") for _ in range(5))
    results.append({
        "name": "incremental recompute after one district's submission", "seconds": round(submission_seconds, 4),
        "goal": 0.05,
        "note": "the same, plus the roll-ups of the year containing the record: the district's subtree, then its "
                "province's from its districts' rows; best of 5",
    })
    # The incremental rows must be the full run's: compare the province's, the district's and its
    # communes' rows of the form's targets and indicators before and after a full recompute.
    units = [submission.unit.province_id, submission.unit_id, *submission.unit.children.values_list("pk", flat=True)]
    indicators = list(submission.form.form_indicators.values_list("indicator_id", flat=True))

    def touched():
        targets = TargetResult.objects.filter(year=YEAR, unit_id__in=units, target__indicator_id__in=indicators)
        rolled = IndicatorAggregate.objects.filter(year=YEAR, unit_id__in=units, indicator_id__in=indicators)
        return (
            sorted(targets.values_list("target_id", "unit_id", "numerator", "denominator", "percent", "achieved",
                                       "not_reported", "not_approved")),
            sorted(rolled.values_list("indicator_id", "unit_id", "period", "value", "reporting_units")),
        )

    incremental_rows = touched()
    runs.year_recompute(year=YEAR)
    full_rows = touched()
    differing = sum(len(set(a) ^ set(b)) for a, b in zip(incremental_rows, full_rows, strict=True))
    results[-1]["note"] += (
        f"; {len(incremental_rows[0])} target and {len(incremental_rows[1])} roll-up rows of the province, district "
        f"and communes checked against the full recompute: {differing} differ"
    )
    # Before the first full run of a year the rows below are not whole: the province is scanned.
    ComputationRun.objects.filter(year=YEAR).update(finished_at=None)
    first = min(change("DRAFT", "SUBMITTED") for _ in range(3))
    ComputationRun.objects.filter(year=YEAR).update(finished_at=timezone.now())
    results.append({
        "name": "the same submission before the year's first full run", "seconds": round(first, 4), "goal": None,
        "note": "no finished run yet, so the province's whole subtree is scanned instead of summing rows; best of 3",
    })
    return list(results)


def run() -> list[dict]:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres", "psql")):
        return [{"name": "targets (national)", "seconds": None, "goal": None,
                 "note": "bỏ qua: cần PostgreSQL (DATABASE_URL=postgres://…)"}]
    import django
    from django.apps import apps

    if apps.ready:
        return [{"name": "targets (national)", "seconds": None, "goal": None,
                 "note": "bỏ qua: cần tiến trình riêng (chạy qua benchmarks/run.py)"}]
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mattran.settings.test")
    keep = os.environ.get("BENCH_KEEP_DB") == "1"
    os.environ["DATABASE_URL"], cleanup, reuse = throwaway_postgres(url, "bench_targets", keep)
    django.setup()
    from django.core.management import call_command

    try:
        call_command("migrate", verbosity=0, interactive=False)
        counts = census() if reuse else build()
        results = measure()
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        units = ", ".join(f"{kind}: {n:,}" for kind, n in counts["units"])
        results.append({
            "name": "peak memory (MB, whole process)", "seconds": round(peak_mb, 1), "goal": 300,
            "note": f"figure in MB, not seconds; data built in {counts['build_seconds']} s: {units}; "
                    f"{counts['values']:,} values",
        })
        return results
    finally:
        cleanup()


if __name__ == "__main__":
    for row in run():
        print(row)
