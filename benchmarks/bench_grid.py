"""Time the entry grid page of a district of 226 residential areas (Tràng Định) for the festival form.

The form is the real ``ngay_hoi`` (four columns: held, date, both parts, shared meal). The district has
23 communes and 226 areas, every cell filled for the year shown and the year before (the small
"Năm trước" figure under each cell). The page is fetched through Django's test client as the district
officer (inputs) and as provincial staff (the same values read-only); each figure is the median of
``RUNS`` requests after a warm-up. The HTML must stay under 150 KiB and the page in at most the 12 queries
it took before the grid was reworked (asserted; 10 since the user is read with officer and unit and the
plans' terms come from the catalogue's copy). Before, on the same data, the page drew 200 of the 226
areas in 633 KiB (a second page held the other 26), in about the same or more time on this shared machine. ``run()`` answers a list of figures for ``benchmarks/run.py``;
run alone (``python benchmarks/bench_grid.py``) it prints them. The generated rows are rolled back.
"""
from __future__ import annotations

import statistics
import time

from _common import Rollback, setup_django

COMMUNES, AREAS = 23, 226
RUNS = 15
GOAL_SECONDS = 0.25
MAX_BYTES = 150 * 1024
QUERIES = 12  # the grid's queries before the rework, for 20 rows or 200: the most it may take


def _district():
    """A province, the district, its communes and areas, an officer and a reviewer."""
    from django.contrib.auth import get_user_model

    from mattran.models import Officer, OfficerRole, Unit, UnitKind

    province = Unit.objects.create(code="BENCH-GP", name="Tỉnh thử", kind=UnitKind.PROVINCE)
    district = Unit.objects.create(code="BENCH-GD", name="Huyện Tràng Định thử", kind=UnitKind.DISTRICT, parent=province)
    areas = []
    for c in range(COMMUNES):
        commune = Unit.objects.create(code=f"BENCH-GC{c:02d}", name=f"Xã thử số {c}", kind=UnitKind.COMMUNE,
                                      parent=district)
        count = AREAS // COMMUNES + (1 if c < AREAS % COMMUNES else 0)
        areas += [Unit.objects.create(code=f"BENCH-GC{c:02d}-{a:02d}", name=f"Thôn Khuổi Thử {c}-{a}",
                                      kind=UnitKind.AREA, parent=commune) for a in range(count)]
    users = get_user_model().objects
    officer = users.create_user("bench-grid-huyen", "bench-grid@example.org", "x")
    Officer.objects.create(user=officer, unit=district, role=OfficerRole.DISTRICT_OFFICER)
    staff = users.create_user("bench-grid-tinh", "bench-grid-tinh@example.org", "x")
    Officer.objects.create(user=staff, unit=province, role=OfficerRole.PROVINCE_STAFF)
    return district, areas, officer, staff


def _fill(form, district, areas, officer, period):
    from reports.submissions.services import submission_get_or_create, values_save

    columns = {fi.indicator.code: fi.indicator for fi in form.form_indicators.select_related("indicator")}
    submission = submission_get_or_create(form=form, unit=district, period=period, by=officer)
    values = {}
    for n, area in enumerate(areas):
        held = n % 7 != 6  # one area in seven held no festival: its other cells stay empty
        row = {"ngay_hoi_to_chuc": "có" if held else "không", "ngay_hoi_ngay": f"{1 + n % 18}/11/{period}" if held else "",
               "ngay_hoi_le_va_hoi": ("có" if n % 3 else "không") if held else "",
               "ngay_hoi_bua_com": ("có" if n % 4 else "không") if held else ""}
        for code, indicator in columns.items():
            values[(area.pk, indicator.pk)] = row.get(code, "")
    result = values_save(submission=submission, values=values, by=officer, expected_version=submission.version,
                         confirm_warnings=True)
    assert result.saved, [str(e) for e in result.errors[:3]]
    return submission


def _time(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm-up: templates compiled, caches filled
    seconds = []
    for _ in range(RUNS):
        started = time.perf_counter()
        response = client.get(url)
        seconds.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return statistics.median(seconds), min(seconds), response, len(queries.captured_queries)


def run() -> list[dict]:
    setup_django("bench_grid_")
    from django.conf import settings
    from django.db import transaction
    from django.test import Client
    from django.urls import reverse

    from reports.models import ReportForm
    from reports.submissions.selectors import due_periods

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    form = ReportForm.objects.filter(code="ngay_hoi").first()
    name = f"grid page: {AREAS} areas × 4 columns (ngay_hoi)"
    if form is None:
        return [{"name": name, "seconds": None, "goal": GOAL_SECONDS, "note": "skipped: form ngay_hoi is not loaded"}]
    periods = [p for p in due_periods(form) if p.year <= 2020][:2]
    results = []
    try:
        with transaction.atomic():
            district, areas, officer, staff = _district()
            for period in reversed(periods):
                _fill(form, district, areas, officer, str(period))
            url = reverse("reports:grid", args=[form.code, district.code, str(periods[0])])
            for who, user in (("district officer, inputs", officer), ("provincial staff, read-only", staff)):
                client = Client()
                client.force_login(user)
                seconds, fastest, response, queries = _time(client, url)
                size = len(response.content)
                rows = response.content.count(b"<tr data-u=")
                assert rows == AREAS, rows
                assert size < MAX_BYTES, f"{size} bytes"
                assert queries <= QUERIES, f"{queries} queries, was {QUERIES}"
                results.append({
                    "name": f"{name}, {who}", "seconds": round(seconds, 3), "goal": GOAL_SECONDS,
                    "note": f"{size / 1024:.1f} KiB of HTML (limit 150), {rows} rows on one page, {queries} queries "
                            f"(at most {QUERIES}), median of {RUNS} (fastest {fastest:.3f} s); {periods[0]} with {periods[1]} under each cell",
                })
            raise Rollback
    except Rollback:
        pass
    return results


if __name__ == "__main__":
    for figure in run():
        print(f"{figure['name']}: {figure['seconds']} s (goal < {figure['goal']} s) — {figure['note']}")
