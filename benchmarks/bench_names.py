"""Time the names behind a percentage (``/chi-tieu/<year>/<target>/<province>/``) for a province of 5,100 areas.

Builds only what the page reads: one province of 30 districts × 17 communes × 10 areas (the size
of Hà Nội's 5,260), the festival record of 2019 for 85% of the areas (submitted by each district,
four districts' still drafts), and the target's results. Measures the first page, a status, the
last page of a status (the deepest OFFSET) and a district with a name, as provincial staff through
the whole request: median time, HTML size and query count. On PostgreSQL each page is timed with
the web connection's settings (``jit=off``) and again with JIT on, to show what the setting buys.
Everything is rolled back at the end.
"""
from __future__ import annotations

import os
import random
import re
import statistics
import time

from _common import Rollback, setup_django

DISTRICTS, COMMUNES, AREAS = 30, 17, 10
YEAR = 2019
PAGE_GOAL = 0.150
SIZE_GOAL = 100 * 1024
BATCH = 5000


def _build():
    from django.db import connection
    from django.utils import timezone

    from mattran.models import Unit, UnitKind
    from programs.models import Indicator, Target
    from reports.models import DataValue, ReportForm, Submission, SubmissionStatus
    from reports.targets import sql

    rng = random.Random(18)
    province = Unit.objects.create(code="BN", name="Tỉnh Bắc Nam", kind=UnitKind.PROVINCE)
    districts = Unit.objects.bulk_create([
        Unit(code=f"BN-{d:02d}", name=f"Huyện Đồng Văn {d}", kind=UnitKind.DISTRICT, parent=province)
        for d in range(DISTRICTS)
    ])
    communes = Unit.objects.bulk_create([
        Unit(code=f"{d.code}-{c:02d}", name=f"Xã Tân Lập {d.code[3:]}.{c}", kind=UnitKind.COMMUNE, parent=d)
        for d in districts for c in range(COMMUNES)
    ], batch_size=BATCH)
    Unit.objects.bulk_create([
        Unit(code=f"{c.code}-{a:02d}", name=f"Thôn Bản Chắt {c.code[3:]}.{a}", kind=UnitKind.AREA, parent=c)
        for c in communes for a in range(AREAS)
    ], batch_size=BATCH)
    Unit.refresh_ancestor_columns(Unit.objects.filter(code__startswith="BN"))
    form = ReportForm.objects.get(code="ngay_hoi")
    indicator = Indicator.objects.get(code="ngay_hoi_to_chuc")
    now = timezone.now()
    values = []
    for i, district in enumerate(districts):
        status = SubmissionStatus.DRAFT if i % 8 == 7 else (SubmissionStatus.SUBMITTED if i % 3 else SubmissionStatus.APPROVED)
        submission = Submission.objects.create(form=form, unit=district, period=str(YEAR), year=YEAR, status=status)
        for area in Unit.objects.filter(district=district, kind=UnitKind.AREA).only("pk"):
            if rng.random() < 0.85:
                values.append(DataValue(indicator=indicator, unit=area, period=str(YEAR), year=YEAR,
                                        submission=submission, value_bool=rng.random() < 0.8, updated_at=now))
    DataValue.objects.bulk_create(values, batch_size=BATCH)
    target = Target.objects.get(code="ngay_hoi_kdc")
    sql.target_results_compute(target=target, year=YEAR)
    if connection.vendor == "postgresql" and not os.environ.get("BENCH_NO_ANALYZE"):  # what autovacuum does for a live database: planner statistics
        with connection.cursor() as cursor:
            for table in ("mattran_unit", "reports_datavalue", "reports_submission", "reports_targetresult"):
                cursor.execute(f"ANALYZE {table}")
    return province, target, len(values)


def _measure(client, url, params, repeat=7):
    from django.db import connection

    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    statements = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url, params)
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(url, params)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples), len(response.content), len(statements), response


def run() -> list[dict]:
    setup_django("bench_names_")
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.test import Client
    from django.urls import reverse

    from mattran.models import Officer, OfficerRole, Unit, UnitKind

    figures = []
    try:
        with transaction.atomic():
            started = time.perf_counter()
            province, target, values = _build()
            built = time.perf_counter() - started
            areas = Unit.objects.filter(province=province, kind=UnitKind.AREA).count()
            user = get_user_model().objects.create_user("bench-names", "bench@example.org", "x")
            Officer.objects.create(user=user, unit=province, role=OfficerRole.PROVINCE_STAFF)
            client = Client()
            client.force_login(user)
            url = reverse("targets:units", args=[YEAR, target.code, province.code])
            cases = [
                ("first page, every status", {}),
                ("not reported, first page", {"trang_thai": "not_reported"}),
                ("met, last page (deepest offset)", {"trang_thai": "met", "page": "last"}),
                ("a district's communes, a name", {"noi": "BN-07", "ten": "Bản Chắt 07-1"}),
            ]
            jit_settings = [("web settings", None)]
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SHOW jit")
                    jit_settings = [(f"jit={cursor.fetchone()[0]}", None), ("jit=on", "on")]
            for label, params in cases:
                if params.get("page") == "last":
                    first = client.get(url, {**params, "page": 1}).content.decode()
                    params = {**params, "page": re.search(r"Trang 1/(\d+)", first).group(1)}
                for setting, jit in jit_settings:
                    if jit:
                        with connection.cursor() as cursor:
                            cursor.execute("SET jit = on")
                    seconds, size, queries, response = _measure(client, url, params)
                    if jit:
                        with connection.cursor() as cursor:
                            cursor.execute("RESET jit")
                    shown = re.search(r"Trang (\d+)/(\d+)", response.content.decode())
                    count = re.search(r"(\d[\d.]*) đơn vị", response.content.decode()).group(1)
                    figures.append({
                        "name": f"names page, {label} ({setting})", "seconds": seconds,
                        "goal": PAGE_GOAL if not jit else None,
                        "note": (f"{size / 1024:.1f} KB (goal ≤ {SIZE_GOAL // 1024} KB{' ✓' if size <= SIZE_GOAL else ' ✗'}), "
                                 f"{queries} queries, page {shown.group(1) if shown else 1}/{shown.group(2) if shown else 1} of "
                                 f"{count} units; median of 7"),
                    })
            figures.append({
                "name": "data built", "seconds": built, "goal": None,
                "note": (f"one province: {DISTRICTS} districts, {DISTRICTS * COMMUNES} communes, {areas:,} areas; "
                         f"{values:,} festival values of {YEAR} on {connection.vendor}; rolled back"),
            })
            raise Rollback
    except Rollback:
        pass
    return figures


if __name__ == "__main__":
    for figure in run():
        print(f"{figure['name']}: {figure['seconds']:.3f} s (goal {figure['goal']}) — {figure['note']}")
