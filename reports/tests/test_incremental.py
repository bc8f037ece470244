"""Incremental recomputes: chained on an irregular tree, approvals, new targets, statement counts."""
import datetime
from decimal import Decimal
from unittest import mock

import pytest

from mattran.models import Unit, UnitKind
from mattran.placements import placements_sync
from programs.loaders import load_indicators
from programs.models import Indicator, Target
from reports.models import (
    FormIndicator,
    IndicatorAggregate,
    ReportForm,
    Submission,
    SubmissionStatus,
    TargetResult,
)
from reports.targets import runs
from reports.targets.incremental import submission_changed
from reports.tests.computation_world import YEAR, result, snapshot, unit
from reports.tests.target_factories import festival, ratings, submit
from tests.factories import make_tree, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def irregular_tree():
    """Province 20 as ``tree``, plus the shapes a reform leaves: commune PC directly under the
    province, area D1X directly under district D1, and an area of D1C1 that ended in June."""
    province = make_tree(districts=2, communes=2, areas=3)
    commune = make_unit("PC", "Xã trực thuộc tỉnh", UnitKind.COMMUNE, province)
    for a in (1, 2):
        make_unit(f"PCA{a}", f"Thôn PC.{a}", UnitKind.AREA, commune)
    make_unit("D1X", "Thôn trực thuộc huyện", UnitKind.AREA, unit("D1"))
    Unit.objects.filter(code="D1C1A3").update(valid_to=datetime.date(YEAR, 6, 30))
    placements_sync()  # a direct UPDATE bypasses the model: the dated tree follows
    return province


def _random_submissions(rng):
    """Every kind of form, by districts, communes, the province and the commune under it, with random
    values; a test-only stock (LAST) indicator on the monthly form."""
    load_indicators({"ton_quy_test": ("Tồn quỹ (thử)", "triệu đồng", "DECIMAL", None, "LAST", 2)})
    FormIndicator.objects.create(form=ReportForm.objects.get(code="bao_cao_thang"),
                                 indicator=Indicator.objects.get(code="ton_quy_test"), order=99)
    areas = list(Unit.objects.filter(kind=UnitKind.AREA))
    communes = list(Unit.objects.filter(kind=UnitKind.COMMUNE))
    levels = ["vung_manh", "kha", "trung_binh", "yeu"]
    statuses = [SubmissionStatus.DRAFT, SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED]
    made = []
    for submitter in [unit("D1"), unit("D2"), unit("PC")]:
        mine = [a for a in areas if a.is_within(submitter)]
        if submitter.code == "D1":  # D1C1 sends its areas' festival itself: D1's has D1C2's and D1X
            made.append(festival(unit("D1C1"), YEAR, {a: rng.random() < 0.8 for a in mine if a.is_within(unit("D1C1"))},
                                 status=rng.choice(statuses)))
            mine = [a for a in mine if not a.is_within(unit("D1C1"))]
        made.append(festival(submitter, YEAR, {a: rng.random() < 0.8 for a in mine if rng.random() < 0.9},
                             status=rng.choice(statuses)))
        made.append(ratings("xep_loai_bctmt", "xep_loai_bctmt", submitter, YEAR,
                            {a: rng.choice(["tot", "kha", "trung_binh", "yeu"]) for a in mine}, status=rng.choice(statuses)))
        made.append(ratings("xep_loai_mttq_xa", "xep_loai_mttq", submitter, YEAR,
                            {c: rng.choice(levels) for c in communes if c.is_within(submitter)}, status=rng.choice(statuses)))
        for month in (1, 2, 3, 7):
            # Communes' figures, and now and then the district's own (a value above its communes').
            units = [c for c in communes if c.is_within(submitter)] + ([submitter] if rng.random() < 0.5 else [])
            values = {("quy_vnn_thu", u): rng.randint(0, 50) for u in units}
            values |= {("ton_quy_test", u): rng.randint(0, 9) for u in units if rng.random() < 0.7}
            made.append(submit("bao_cao_thang", submitter, f"{YEAR}-{month:02d}", values, status=rng.choice(statuses)))
    # A commune reporting its own quarter, a district and a commune their own November, and the
    # province rating its districts.
    made.append(submit("bao_cao_thang", unit("D2C1"), f"{YEAR}-Q2", {("quy_vnn_thu", unit("D2C1")): 5},
                       status=SubmissionStatus.DRAFT))
    made.append(submit("bao_cao_thang", unit("D2"), f"{YEAR}-11", {("quy_vnn_thu", unit("D2")): 4, ("ton_quy_test", unit("D2")): 3},
                       status=SubmissionStatus.APPROVED))
    made.append(submit("bao_cao_thang", unit("D2C2"), f"{YEAR}-11", {("quy_vnn_thu", unit("D2C2")): 6},
                       status=SubmissionStatus.SUBMITTED))
    made.append(ratings("xep_loai_mttq_huyen", "xep_loai_mttq", unit("20"), YEAR,
                        {d: rng.choice(levels) for d in Unit.objects.filter(kind=UnitKind.DISTRICT)},
                        status=SubmissionStatus.SUBMITTED))
    return made


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_chained_incremental_recomputes_equal_full_recomputes_on_an_irregular_tree(irregular_tree, seed):
    """Given random submissions of every form, each status change recomputed incrementally (ancestors
    summed from the rows below them) leaves exactly the rows of a full recompute, change after change,
    and so does the first change before any full run (the top unit's subtree scanned)."""
    import random

    rng = random.Random(seed)
    made = _random_submissions(rng)
    statuses = [SubmissionStatus.DRAFT, SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED, SubmissionStatus.RETURNED]

    def of_form(rows, form):
        codes = set(form.form_indicators.values_list("indicator__code", flat=True))
        codes |= set(Target.objects.filter(indicator__code__in=codes).values_list("code", flat=True))
        return [row for row in rows if row[0] in codes]

    with mock.patch("reports.tasks.compute_targets.delay"):
        first = made[0]
        first.status = SubmissionStatus.APPROVED
        first.save()
        submission_changed(first)  # no full run yet
        incremental = (snapshot(), snapshot(IndicatorAggregate))
        runs.year_recompute(year=YEAR)
        full = (snapshot(), snapshot(IndicatorAggregate))
        assert [of_form(rows, first.form) for rows in incremental] == [of_form(rows, first.form) for rows in full]
        assert of_form(full[0], first.form)
        for step in range(16):
            submission = rng.choice(made)
            previous = submission.status
            submission.status = rng.choice([s for s in statuses if s != submission.status])
            submission.save()
            # As the services call it (an approval then skips the unchanged roll-ups), or without the
            # previous status (everything the form touches is recomputed).
            submission_changed(submission, previous_status=previous if step % 2 else None)
            incremental = (snapshot(), snapshot(IndicatorAggregate))
            runs.year_recompute(year=YEAR)
            full = (snapshot(), snapshot(IndicatorAggregate))
            assert incremental == full, f"step {step}: {submission.form.code} {submission.unit.code} → {submission.status}"
    assert TargetResult.objects.filter(unit__code="PC").exists() and IndicatorAggregate.objects.filter(unit__code="PC").exists()


def test_an_approval_recomputes_the_targets_pending_count_and_leaves_the_roll_ups_alone(festival_2019):
    """Submitted and approved values both count: approving D2's festival record changes only the count
    of values waiting for approval; the roll-ups are not rewritten, and every row equals a full run's."""
    runs.year_recompute(year=YEAR)
    rolled = dict(IndicatorAggregate.objects.values_list("id", "computed_at"))
    assert result("ngay_hoi_kdc", "20").not_approved == 2
    d2 = Submission.objects.get(form__code="ngay_hoi", unit__code="D2")
    d2.status = SubmissionStatus.APPROVED
    d2.save()
    with mock.patch("reports.tasks.compute_targets.delay"):
        submission_changed(d2, previous_status=SubmissionStatus.SUBMITTED)
    assert result("ngay_hoi_kdc", "20").not_approved == 0 and result("ngay_hoi_kdc", "D2C1").not_approved == 0
    assert dict(IndicatorAggregate.objects.values_list("id", "computed_at")) == rolled
    incremental = (snapshot(), snapshot(IndicatorAggregate))
    runs.year_recompute(year=YEAR)
    assert (snapshot(), snapshot(IndicatorAggregate)) == incremental


def _half_festival_target():
    """A second target on the festival record, added after the full run (no rows of it yet)."""
    existing = Target.objects.get(code="ngay_hoi_kdc")
    Target.objects.create(
        code="ngay_hoi_nua", name="Một nửa khu dân cư tổ chức Ngày hội", indicator=existing.indicator,
        counted_kinds=existing.counted_kinds, condition=existing.condition, threshold_percent=Decimal("50"),
        first_year=YEAR, last_year=YEAR,
    )


def test_a_target_added_after_the_full_run_is_computed_for_the_whole_province_at_the_first_change(festival_2019):
    """Given a full run, then a new target on the festival record (no rows yet, so no rows below to sum),
    the first change under it computes the new target for every unit of the province, as a full run would."""
    runs.year_recompute(year=YEAR)
    _half_festival_target()
    with mock.patch("reports.tasks.compute_targets.delay"):
        submission_changed(festival_2019, previous_status=SubmissionStatus.SUBMITTED)  # D2C2's draft: was counted
    incremental = snapshot()
    assert {row[1] for row in incremental if row[0] == "ngay_hoi_nua"} == {"20", "D1", "D2", "D1C1", "D1C2", "D2C1", "D2C2"}
    runs.year_recompute(year=YEAR)
    assert snapshot() == incremental


def test_an_approval_moves_the_pending_counts_in_one_statement(festival_2019):
    """After a full run, approving D2's festival record writes the targets' rows in ONE statement
    (the count waiting for approval moved on the rows of its communes, district and province), the
    bookkeeping (the dirty mark) in the same statement: one round trip on PostgreSQL; the rows equal
    a full run's."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    runs.year_recompute(year=YEAR)
    d2 = Submission.objects.get(form__code="ngay_hoi", unit__code="D2")
    d2.status = SubmissionStatus.APPROVED
    d2.save()
    with mock.patch("reports.tasks.compute_targets.delay"), CaptureQueriesContext(connection) as queries:
        submission_changed(d2, previous_status=SubmissionStatus.SUBMITTED)
    writes = [q["sql"] for q in queries if "reports_targetresult" in q["sql"]]
    assert len(writes) == (1 if connection.vendor == "postgresql" else 2), writes  # SQLite: asks, then updates
    # The dirty mark and the move in one statement (SQLite: the mark, then the move, asked first).
    assert len(queries) == (1 if connection.vendor == "postgresql" else 3), [q["sql"][:80] for q in queries]
    assert "reports_computationrun" in queries[0]["sql"]
    assert result("ngay_hoi_kdc", "20").not_approved == 0 and result("ngay_hoi_kdc", "D2").not_approved == 0
    incremental = (snapshot(), snapshot(IndicatorAggregate))
    runs.year_recompute(year=YEAR)
    assert (snapshot(), snapshot(IndicatorAggregate)) == incremental

    # And back to submitted: the same rows as a full run again.
    d2.status = SubmissionStatus.SUBMITTED
    d2.save()
    with mock.patch("reports.tasks.compute_targets.delay"):
        submission_changed(d2, previous_status=SubmissionStatus.APPROVED)
    assert result("ngay_hoi_kdc", "20").not_approved == 2
    incremental = snapshot()
    runs.year_recompute(year=YEAR)
    assert snapshot() == incremental


def test_a_submission_with_the_copies_warm_reads_nothing_but_the_tokens_and_writes_each_row_set_once(festival_2019):
    """After a full run, D2 reopens its festival record (the copies of the tree and the catalogue are
    read), then submits it again: that recompute asks one query (the copies' tokens) and otherwise
    only writes: the dirty mark (with whether each target has rows), each target's and the roll-up's
    statements; the rows equal a full run's."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    runs.year_recompute(year=YEAR)
    d2 = Submission.objects.get(form__code="ngay_hoi", unit__code="D2")
    for before, after in ((SubmissionStatus.SUBMITTED, SubmissionStatus.DRAFT), (SubmissionStatus.DRAFT, SubmissionStatus.SUBMITTED)):
        d2.status = after
        d2.save()
        with mock.patch("reports.tasks.compute_targets.delay"), CaptureQueriesContext(connection) as queries:
            submission_changed(d2, previous_status=before)
    statements = [q["sql"] for q in queries]
    reads = [sql for sql in statements if sql.lstrip().upper().startswith("SELECT")]
    assert reads == ["SELECT id, token FROM mattran_copyversion"], reads
    targets = Target.objects.filter(indicator__code="ngay_hoi_to_chuc").count()
    writes = [sql for sql in statements if "reports_targetresult" in sql.split("(")[0] or "reports_indicatoraggregate" in sql.split("(")[0]]
    assert len(writes) == 2 * targets + 2, [sql[:60] for sql in statements]  # the district's subtree, then its province
    savepoints = 2 if connection.vendor == "postgresql" else 0
    assert len(statements) == 1 + 1 + len(writes) + savepoints, [sql[:60] for sql in statements]
    incremental = (snapshot(), snapshot(IndicatorAggregate))
    runs.year_recompute(year=YEAR)
    assert (snapshot(), snapshot(IndicatorAggregate)) == incremental


def test_an_approval_under_a_target_no_full_run_has_computed_recounts_instead(festival_2019):
    """Given a full run, then a new target on the festival record (no rows to move), approving D2's
    record moves nothing half-way: it recounts, and the new target's rows are a full run's."""
    runs.year_recompute(year=YEAR)
    _half_festival_target()
    d2 = Submission.objects.get(form__code="ngay_hoi", unit__code="D2")
    d2.status = SubmissionStatus.APPROVED
    d2.save()
    with mock.patch("reports.tasks.compute_targets.delay"):
        submission_changed(d2, previous_status=SubmissionStatus.SUBMITTED)
    incremental = snapshot()
    assert {row[1] for row in incremental if row[0] == "ngay_hoi_nua"} == {"20", "D1", "D2", "D1C1", "D1C2", "D2C1", "D2C2"}
    assert result("ngay_hoi_kdc", "20").not_approved == 0
    runs.year_recompute(year=YEAR)
    assert snapshot() == incremental


def test_an_incremental_recompute_issues_as_many_statements_in_a_large_province_as_in_a_small_one():
    """The same festival approval in a province of 2 districts and in one of 6 districts of 4 communes:
    the same number of statements (the ancestors are summed from rows, never looped over)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for province, districts, communes in (("20", 2, 2), ("30", 6, 4)):
        make_tree(districts=districts, communes=communes, areas=3, province_code=province, prefix=f"P{province}")
        district = unit(f"P{province}D1")
        record = festival(district, YEAR, {a: True for a in Unit.objects.filter(district=district, kind=UnitKind.AREA)},
                          status=SubmissionStatus.SUBMITTED)
        runs.year_recompute(year=YEAR)
        record.status = SubmissionStatus.APPROVED
        record.save()
        with mock.patch("reports.tasks.compute_targets.delay"), CaptureQueriesContext(connection) as queries:
            submission_changed(record, previous_status=SubmissionStatus.SUBMITTED)
        counts.append(len(queries))
        assert result("ngay_hoi_kdc", province).not_approved == 0
    assert counts[0] == counts[1] <= 15


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_approval_whose_rows_another_transaction_holds_moves_nothing_half_way_and_waits_at_most_a_second(
    festival_2019,
):
    """Another transaction holds the province's festival row (a concurrent approval, a full run's
    write): the approval's one statement skips it rather than wait, moves no count at all, and the
    recount that follows gives way after its lock timeout; the year stays dirty, and a full run
    then leaves exactly what it would have."""
    import time

    import psycopg2
    from django.db import connection, transaction

    runs.year_recompute(year=YEAR)
    held = result("ngay_hoi_kdc", "20")
    before = snapshot()
    other = psycopg2.connect(**{k: v for k, v in connection.get_connection_params().items() if k != "cursor_factory"})
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT 1 FROM reports_targetresult WHERE id = %s FOR UPDATE", [held.pk])
        d2 = Submission.objects.get(form__code="ngay_hoi", unit__code="D2")
        started = time.monotonic()
        # Committed here: the full run it queues is counted, not run (inline, it would wait for the lock).
        with mock.patch("reports.targets.incremental.enqueue_year_recompute") as queued, transaction.atomic():
            d2.status = SubmissionStatus.APPROVED
            d2.save()
            submission_changed(d2, previous_status=SubmissionStatus.SUBMITTED)
        elapsed = time.monotonic() - started
    finally:
        other.rollback()
        other.close()
    assert elapsed < 2, elapsed
    queued.assert_called_once_with(YEAR)
    assert snapshot() == before  # not one count moved: the D2 rows below the held one neither
    from reports.models import ComputationRun

    assert ComputationRun.objects.get(kind="targets", year=YEAR).dirty is True
    runs.year_recompute(year=YEAR)
    assert result("ngay_hoi_kdc", "20").not_approved == 0 and result("ngay_hoi_kdc", "D2").not_approved == 0
