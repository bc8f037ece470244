"""Time the provincial dashboard and the yearly report export on a national-size set of precomputed rows.

The set: 63 provinces × 11 districts × 16 communes (about 11,800 units, as in Vietnam before 2025),
TargetResult for every unit, three targets and 2016–2020, and IndicatorAggregate for every
indicator: provinces and districts for the five years, 2019-H1, 2019-9M and each month of 2019,
communes for 2019, 2019-H1 and 2019-9M (about 1 million rows). Rows are bulk inserted (PostgreSQL
when DATABASE_URL says so, else a throwaway SQLite file) and rolled back at the end.

``run()`` answers a list of figures for ``benchmarks/run.py``; run alone
(``python benchmarks/bench_dashboard.py``) it prints them. ``BENCH_DASHBOARD_SCALE=0.1`` builds a
tenth of the provinces for a quick look.
"""
from __future__ import annotations

import os
import random
import statistics
import time
from decimal import Decimal

from _common import Rollback, setup_django

PROVINCES, DISTRICTS, COMMUNES = 63, 11, 16
YEARS = range(2016, 2021)
DASHBOARD_GOAL = 0.150
REPORT_GOAL = 10.0
BATCH = 5000


def _build(provinces: int):
    """Bulk insert the national tree and its precomputed rows; return the first province."""
    from django.db import connection
    from django.utils import timezone

    from mattran.models import Unit, UnitKind
    from programs.models import Indicator, Target, ValueType
    from reports.models import IndicatorAggregate, PlanValue, TargetResult
    from reports.periods import Period, PeriodType

    rng = random.Random(2019)
    now = timezone.now()
    top = Unit.objects.bulk_create([
        Unit(code=f"BD{p:02d}", name=f"Tỉnh thử {p}", kind=UnitKind.PROVINCE) for p in range(provinces)
    ])
    middle = Unit.objects.bulk_create([
        Unit(code=f"{p.code}-{d:02d}", name=f"Huyện thử {p.code}-{d}", kind=UnitKind.DISTRICT, parent=p)
        for p in top for d in range(DISTRICTS)
    ], batch_size=BATCH)
    bottom = Unit.objects.bulk_create([
        Unit(code=f"{d.code}-{c:02d}", name=f"Xã thử {d.code}-{c}", kind=UnitKind.COMMUNE, parent=d)
        for d in middle for c in range(COMMUNES)
    ], batch_size=BATCH)
    Unit.refresh_ancestor_columns(Unit.objects.filter(code__startswith="BD"))
    everyone = [*top, *middle, *bottom]

    targets = list(Target.objects.all())
    stamp = connection.ops.adapt_datetimefield_value(now)
    _insert(TargetResult, ["target_id", "unit_id", "year", "numerator", "denominator", "percent", "achieved", "due",
                           "not_reported", "not_approved", "computed_at"], (
        (t.pk, u.pk, y, n, 100, str(n), t.meets(n, 100), t.is_due(y), 0, 0, stamp)
        for u in everyone for t in targets for y in YEARS for n in [rng.randint(80, 100)]
    ))
    indicators = list(Indicator.objects.filter(value_type__in=(ValueType.INTEGER, ValueType.DECIMAL)))
    long_periods = [str(Period.year_of(y)) for y in YEARS] + ["2019-H1", "2019-9M"] + [
        str(p) for p in Period.all_in_year(2019, PeriodType.MONTHLY)
    ]
    short_periods = ["2019", "2019-H1", "2019-9M"]
    _insert(IndicatorAggregate, ["indicator_id", "unit_id", "period", "year", "value", "reporting_units", "computed_at"], (
        (i.pk, u.pk, p, int(p[:4]), str(rng.randint(0, 100000)), 1, stamp)
        for u in everyone for i in indicators
        for p in (short_periods if u.kind == UnitKind.COMMUNE else long_periods)
    ))
    PlanValue.objects.bulk_create([
        PlanValue(indicator=i, unit=u, year=y, value=Decimal(500000)) for u in [*top, *middle] for i in indicators[:4]
        for y in YEARS
    ], batch_size=BATCH)
    return (top[0], len(everyone), TargetResult.objects.filter(unit__code__startswith="BD").count(),
            IndicatorAggregate.objects.filter(unit__code__startswith="BD").count())


def _insert(model, columns, rows) -> None:
    """executemany in chunks: Django's bulk_create spends most of its time building a million model objects."""
    from itertools import islice

    from django.db import connection

    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        connection.ops.quote_name(model._meta.db_table),
        ", ".join(connection.ops.quote_name(c) for c in columns), ", ".join(["%s"] * len(columns)),
    )
    rows = iter(rows)
    with connection.cursor() as cursor:
        while chunk := list(islice(rows, BATCH * 4)):
            if connection.vendor == "postgresql":  # psycopg2's executemany is a loop of single INSERTs
                from psycopg2.extras import execute_values

                execute_values(cursor.cursor, sql.replace("({})".format(", ".join(["%s"] * len(columns))), "%s"), chunk,
                               page_size=BATCH)
            else:
                cursor.executemany(sql, chunk)


def _time(function, repeat: int) -> float:
    function()  # warm caches and imports
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def run() -> list[dict]:
    setup_django("bench_dashboard_")
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.test import Client
    from django.urls import reverse

    from mattran.models import Officer, OfficerRole
    from reports.exports.generator import PeriodicReportGenerator

    scale = float(os.environ.get("BENCH_DASHBOARD_SCALE", "1"))
    provinces = max(1, round(PROVINCES * scale))
    figures = []
    try:
        with transaction.atomic():
            started = time.perf_counter()
            province, units, results, aggregates = _build(provinces)
            built = time.perf_counter() - started
            size = (f"{units:,} units, {results:,} target results, {aggregates:,} aggregates "
                    f"on {connection.vendor} (built in {built:.0f} s)")
            user = get_user_model().objects.create_user("bench-dashboard", "bench@example.org", "x")
            Officer.objects.create(user=user, unit=province, role=OfficerRole.PROVINCE_STAFF)
            client = Client()
            client.force_login(user)
            url = reverse("dashboard:index")

            def dashboard():
                response = client.get(url, {"year": 2019})
                assert response.status_code == 200, response.status_code

            figures.append({
                "name": "dashboard: provincial staff, year 2019", "seconds": _time(dashboard, 7),
                "goal": DASHBOARD_GOAL, "note": f"median of 7 requests; {size}",
            })
            for fmt in ("docx", "xlsx", "pdf"):
                generator = PeriodicReportGenerator(unit=province, period="2019", fmt=fmt)
                figures.append({
                    "name": f"yearly report export 2019 ({fmt})", "seconds": _time(generator.generate, 1),
                    "goal": REPORT_GOAL, "note": f"one province of {DISTRICTS} districts, appendix by district",
                })
            raise Rollback
    except Rollback:
        pass
    return figures


if __name__ == "__main__":
    for figure in run():
        verdict = "ok" if figure["seconds"] is not None and figure["seconds"] < figure["goal"] else "SLOW"
        print(f"{figure['name']}: {figure['seconds']:.3f} s (goal {figure['goal']} s) {verdict} — {figure['note']}")
