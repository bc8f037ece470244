"""Target results and roll-ups on small hand-computed trees."""
import datetime
from decimal import Decimal
from unittest import mock

import pytest

from mattran.models import Unit, UnitKind
from mattran.tests.factories import make_tree, make_unit
from programs.loaders import load_indicators
from programs.models import Indicator, Target
from reports import computation
from reports.models import (
    ComputationRun,
    FormIndicator,
    IndicatorAggregate,
    ReportForm,
    RunStatus,
    Submission,
    SubmissionStatus,
    TargetResult,
)

from .target_factories import festival, ratings, submit

pytestmark = pytest.mark.django_db

YEAR = 2019


def result(code, unit_code, year=YEAR):
    return TargetResult.objects.get(target__code=code, unit__code=unit_code, year=year)


def snapshot(model=TargetResult):
    """Every row's content, without ids and computation times."""
    if model is TargetResult:
        fields = ("target__code", "unit__code", "year", "numerator", "denominator", "percent", "achieved",
                  "due", "not_reported", "not_approved")
    else:
        fields = ("indicator__code", "unit__code", "period", "year", "value", "reporting_units")
    return sorted(model.objects.values_list(*fields))


def compute(code, year=YEAR):
    return computation.target_results_compute(target=Target.objects.get(code=code), year=year)


def unit(code):
    return Unit.objects.get(code=code)


@pytest.fixture
def tree():
    """Province 20; districts D1, D2; communes D1C1, D1C2, D2C1, D2C2; three areas in each commune."""
    return make_tree(districts=2, communes=2, areas=3)


@pytest.fixture
def festival_2019(tree):
    """D1: all six areas held it (approved). D2C1: A1 yes, A2 no, A3 missing (submitted, not approved).
    D2C2: a draft saying yes everywhere, which must not count."""
    festival(unit("D1"), YEAR, {a: True for a in Unit.objects.filter(district__code="D1", kind=UnitKind.AREA)})
    festival(unit("D2"), YEAR, {unit("D2C1A1"): True, unit("D2C1A2"): False}, status=SubmissionStatus.SUBMITTED)
    draft = submit("ngay_hoi", unit("D2C2"), YEAR, {
        ("ngay_hoi_to_chuc", a): True for a in Unit.objects.filter(commune__code="D2C2", kind=UnitKind.AREA)
    }, status=SubmissionStatus.DRAFT)
    return draft


def test_festival_counts_areas_per_level_with_exact_numerators_and_denominators(festival_2019):
    """Given the festival records, each level counts its own areas; unreported and draft areas count only below."""
    compute("ngay_hoi_kdc")
    province = result("ngay_hoi_kdc", "20")
    assert (province.numerator, province.denominator, province.not_reported, province.not_approved) == (7, 12, 4, 2)
    assert province.percent == Decimal("58.33") and province.achieved is False and province.due is True
    d1 = result("ngay_hoi_kdc", "D1")
    assert (d1.numerator, d1.denominator, d1.percent, d1.achieved, d1.not_reported) == (6, 6, Decimal("100.00"), True, 0)
    d2c1 = result("ngay_hoi_kdc", "D2C1")
    assert (d2c1.numerator, d2c1.denominator, d2c1.percent, d2c1.not_reported, d2c1.not_approved) == (
        1, 3, Decimal("33.33"), 1, 2,
    )
    d2c2 = result("ngay_hoi_kdc", "D2C2")
    assert (d2c2.numerator, d2c2.denominator, d2c2.not_reported) == (0, 3, 3)
    assert TargetResult.objects.filter(year=YEAR).count() == 1 + 2 + 4


def test_percent_rounds_half_up_to_two_decimals():
    """2/3 is 66.67 and 1/8 is 12.50 (12.5 exactly), 1/6 is 16.67; nothing to count gives no percent."""
    assert computation.percent_of(2, 3) == Decimal("66.67")
    assert computation.percent_of(1, 8) == Decimal("12.50")
    assert computation.percent_of(1, 6) == Decimal("16.67")
    assert computation.percent_of(1, 200) == Decimal("0.50")
    assert computation.percent_of(0, 0) is None


@pytest.mark.parametrize(("operator", "threshold"), [("GT", "95"), ("GTE", "95"), ("GT", "33.33"), ("GTE", "66.67"), ("GT", "0")])
def test_the_sql_decision_and_percentage_equal_target_meets_and_percent_of(operator, threshold):
    """For every numerator ≤ denominator ≤ 60, the database decides exactly as Target.meets and rounds as percent_of."""
    from django.db import connection

    target = Target(operator=operator, threshold_percent=Decimal(threshold))
    pairs = [(n, d) for d in range(1, 61) for n in range(d + 1)]
    achieved, params = computation.achieved_sql(target, "n", "d")
    values = ", ".join(f"({n}, {d})" for n, d in pairs)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT n, d, {achieved}, {computation.percent_cents_sql('n', 'd')}"
            f" FROM (SELECT column1 AS n, column2 AS d FROM (VALUES {values}) AS v) AS pairs",
            params,
        )
        rows = cursor.fetchall()
    assert len(rows) == len(pairs)
    for n, d, decided, cents in rows:
        assert bool(decided) == target.meets(n, d), (n, d)
        assert Decimal(cents) / 100 == computation.percent_of(n, d), (n, d)


def test_exactly_95_percent_does_not_meet_more_than_95_percent():
    """Given 19 of 20 areas holding the festival (95.00%), "trên 95%" is not met; 20 of 20 is."""
    province = make_unit("20", "Tỉnh", UnitKind.PROVINCE)
    district = make_unit("D1", "Huyện", UnitKind.DISTRICT, province)
    commune = make_unit("D1C1", "Xã", UnitKind.COMMUNE, district)
    areas = [make_unit(f"A{i}", f"Thôn {i}", UnitKind.AREA, commune) for i in range(20)]
    submission = festival(district, YEAR, {a: i != 0 for i, a in enumerate(areas)})
    compute("ngay_hoi_kdc")
    row = result("ngay_hoi_kdc", "20")
    assert (row.numerator, row.denominator, row.percent, row.achieved) == (19, 20, Decimal("95.00"), False)
    submission.values.update(value_bool=True)
    compute("ngay_hoi_kdc")
    assert result("ngay_hoi_kdc", "20").achieved is True


def test_a_tree_without_counted_units_gets_no_rows():
    """Given a province with communes but no residential areas, the area targets write nothing (denominator 0)."""
    province = make_unit("20", "Tỉnh", UnitKind.PROVINCE)
    make_unit("D1C1", "Xã", UnitKind.COMMUNE, make_unit("D1", "Huyện", UnitKind.DISTRICT, province))
    assert compute("ngay_hoi_kdc") == 0
    assert not TargetResult.objects.exists()


def test_missing_values_are_not_reported_and_stay_in_the_denominator(tree):
    """Given no festival record at all, every area is in the denominator and not reported."""
    compute("ngay_hoi_kdc")
    row = result("ngay_hoi_kdc", "20")
    assert (row.numerator, row.denominator, row.not_reported, row.percent) == (0, 12, 12, Decimal("0.00"))


def test_units_ended_before_the_year_end_or_started_after_it_are_not_counted(tree):
    """An area that ended in June or starts next year is not counted; one that ends on 31 December is."""
    Unit.objects.filter(code="D1C1A1").update(valid_to=datetime.date(YEAR, 6, 30))
    Unit.objects.filter(code="D1C1A2").update(valid_from=datetime.date(YEAR + 1, 1, 1))
    Unit.objects.filter(code="D1C1A3").update(valid_to=datetime.date(YEAR, 12, 31))
    festival(unit("D1"), YEAR, {unit("D1C1A1"): True, unit("D1C1A3"): True})
    compute("ngay_hoi_kdc")
    row = result("ngay_hoi_kdc", "D1C1")
    assert (row.numerator, row.denominator, row.not_reported) == (1, 1, 0)
    assert result("ngay_hoi_kdc", "20").denominator == 10


def test_ratings_count_units_at_or_above_the_level_and_not_below(tree):
    """Tốt and Khá meet "khá trở lên"; Trung bình and Yếu do not."""
    levels = {"D1C1A1": "tot", "D1C1A2": "kha", "D1C1A3": "trung_binh", "D1C2A1": "yeu"}
    ratings("xep_loai_bctmt", "xep_loai_bctmt", unit("D1"), YEAR, {unit(c): lv for c, lv in levels.items()})
    compute("bctmt_kha_tro_len")
    row = result("bctmt_kha_tro_len", "D1")
    assert (row.numerator, row.denominator, row.not_reported) == (2, 6, 2)
    assert result("bctmt_kha_tro_len", "D1C1").numerator == 2
    assert result("bctmt_kha_tro_len", "D1").due is True
    compute("bctmt_kha_tro_len", year=2018)
    assert result("bctmt_kha_tro_len", "D1", year=2018).due is False


def test_returned_and_draft_submissions_never_count(tree):
    """A returned record and a draft leave their areas not reported."""
    festival(unit("D1"), YEAR, {unit("D1C1A1"): True}, status=SubmissionStatus.RETURNED)
    submit("ngay_hoi", unit("D1C2"), YEAR, {("ngay_hoi_to_chuc", unit("D1C2A1")): True}, status=SubmissionStatus.DRAFT)
    compute("ngay_hoi_kdc")
    row = result("ngay_hoi_kdc", "D1")
    assert (row.numerator, row.not_reported, row.not_approved) == (0, 6, 0)


def test_mttq_counts_the_district_committee_and_its_commune_committees_together(tree):
    """A district counts itself and its communes; a commune counts itself; the province counts all six."""
    ratings("xep_loai_mttq_huyen", "xep_loai_mttq", unit("20"), YEAR, {unit("D1"): "vung_manh", unit("D2"): "kha"})
    ratings("xep_loai_mttq_xa", "xep_loai_mttq", unit("D1"), YEAR, {unit("D1C1"): "vung_manh", unit("D1C2"): "kha"})
    compute("mttq_vung_manh")
    d1 = result("mttq_vung_manh", "D1")
    assert (d1.numerator, d1.denominator) == (2, 3)
    assert (result("mttq_vung_manh", "D1C1").numerator, result("mttq_vung_manh", "D1C1").denominator) == (1, 1)
    province = result("mttq_vung_manh", "20")
    assert (province.numerator, province.denominator, province.not_reported) == (2, 6, 2)


@pytest.fixture
def monthly(tree):
    """D1C1 reports fund raised = month number for 12 months; D1C2 reports 10 a month for January–June.
    A test-only stock indicator (LAST) is 100 + month for D1C1 and 7 in January–February only for D1C2."""
    load_indicators({"ton_quy_test": ("Tồn quỹ (thử)", "triệu đồng", "DECIMAL", None, "LAST", 2)})
    for month in range(1, 13):
        period = f"{YEAR}-{month:02d}"
        values = {("quy_vnn_thu", unit("D1C1")): month, ("ton_quy_test", unit("D1C1")): 100 + month}
        if month <= 6:
            values[("quy_vnn_thu", unit("D1C2"))] = 10
        if month <= 2:
            values[("ton_quy_test", unit("D1C2"))] = 7
        submit("bao_cao_thang", unit("D1"), period, values)
    submit("bao_cao_thang", unit("D2"), f"{YEAR}-01", {("quy_vnn_thu", unit("D2C1")): 1000}, status=SubmissionStatus.DRAFT)


def aggregate(code, unit_code, period):
    """(value, reporting units) as readers see them: the stored roll-up, or else the unit's own value."""
    indicator, target = Indicator.objects.get(code=code), unit(unit_code)
    value = computation.aggregate_values([indicator.pk], [target.pk], [period]).get((indicator.pk, target.pk, period))
    row = IndicatorAggregate.objects.filter(indicator=indicator, unit=target, period=period).first()
    if row is not None:
        assert row.value == value
        return row.value, row.reporting_units
    return (value, 1) if value is not None else None


def test_a_units_own_value_for_its_own_period_is_read_not_copied(monthly, festival_2019):
    """The roll-up stores no row that only repeats a reported value (D1C1's March, an area's festival
    record); readers get the reported value itself. A sum over the period or the subtree is stored."""
    computation.indicator_aggregates_compute(year=YEAR)
    stored = IndicatorAggregate.objects.filter
    assert not stored(indicator__code="quy_vnn_thu", unit__code="D1C1", period="2019-03").exists()
    assert not stored(indicator__code="ngay_hoi_to_chuc", unit__code="D1C1A1", period="2019").exists()
    assert stored(indicator__code="quy_vnn_thu", unit__code="D1C1", period="2019-Q1").exists()
    assert stored(indicator__code="quy_vnn_thu", unit__code="D1", period="2019-03").exists()
    assert aggregate("quy_vnn_thu", "D1C1", "2019-03") == (Decimal("3"), 1)
    assert aggregate("ngay_hoi_to_chuc", "D1C1A1", "2019") == (Decimal("1"), 1)
    assert aggregate("quy_vnn_thu", "D2C1", "2019-01") is None  # a draft's value is not read either


def test_sums_roll_up_from_months_to_quarters_halves_nine_months_and_the_year(monthly):
    """SUM: Q1 = 1+2+3, H1 = 21, 9M = 45, year = 78 for D1C1; the district adds D1C2's 60; drafts do not count."""
    computation.indicator_aggregates_compute(year=YEAR)
    assert aggregate("quy_vnn_thu", "D1C1", "2019-03") == (Decimal("3"), 1)
    assert aggregate("quy_vnn_thu", "D1C1", "2019-Q1") == (Decimal("6"), 1)
    assert aggregate("quy_vnn_thu", "D1C1", "2019-H1") == (Decimal("21"), 1)
    assert aggregate("quy_vnn_thu", "D1C1", "2019-9M") == (Decimal("45"), 1)
    assert aggregate("quy_vnn_thu", "D1C1", "2019") == (Decimal("78"), 1)
    assert aggregate("quy_vnn_thu", "D1", "2019") == (Decimal("138"), 2)
    assert aggregate("quy_vnn_thu", "20", "2019-Q3") == (Decimal("24"), 1)
    assert aggregate("quy_vnn_thu", "20", "2019") == (Decimal("138"), 2)
    assert not IndicatorAggregate.objects.filter(unit__code__in=["D2", "D2C1"]).exists()


def test_stocks_take_each_units_last_value_in_the_period(monthly):
    """LAST: D1C1's Q2 is June's 106 and its year December's 112; D1C2 last reported 7 in February."""
    computation.indicator_aggregates_compute(year=YEAR)
    assert aggregate("ton_quy_test", "D1C1", "2019-Q2") == (Decimal("106"), 1)
    assert aggregate("ton_quy_test", "D1C1", "2019") == (Decimal("112"), 1)
    assert aggregate("ton_quy_test", "D1", "2019-Q1") == (Decimal("110"), 2)
    assert aggregate("ton_quy_test", "D1", "2019") == (Decimal("119"), 2)


def test_yes_no_values_roll_up_as_the_number_of_yes(festival_2019):
    """The festival's yes/no rolls up to the count of areas that held it, with the count that reported."""
    computation.indicator_aggregates_compute(year=YEAR)
    assert aggregate("ngay_hoi_to_chuc", "20", "2019") == (Decimal("7"), 8)
    assert aggregate("ngay_hoi_to_chuc", "D1C1A1", "2019") == (Decimal("1"), 1)


def test_incremental_recompute_after_a_change_equals_a_full_recompute(festival_2019, monthly):
    """Given computed results, approving D2's draft and recomputing only what it touched gives the full run's rows."""
    computation.year_recompute(year=YEAR)
    draft = festival_2019
    draft.status = SubmissionStatus.SUBMITTED
    draft.save()
    with mock.patch("reports.tasks.compute_targets.delay"):
        computation.submission_changed(draft)
    incremental = (snapshot(), snapshot(IndicatorAggregate))
    assert result("ngay_hoi_kdc", "20").numerator == 10
    computation.year_recompute(year=YEAR)
    assert (snapshot(), snapshot(IndicatorAggregate)) == incremental


def test_incremental_recompute_only_rewrites_the_touched_units(festival_2019):
    """A change submitted for commune D2C2 rewrites D2C2 and its ancestors (D2, the province), nothing else."""
    computation.year_recompute(year=YEAR)
    before = dict(TargetResult.objects.values_list("unit__code", "computed_at").filter(target__code="ngay_hoi_kdc"))
    with mock.patch("reports.tasks.compute_targets.delay"):
        computation.submission_changed(festival_2019)
    after = dict(TargetResult.objects.values_list("unit__code", "computed_at").filter(target__code="ngay_hoi_kdc"))
    assert {code for code in after if after[code] != before[code]} == {"20", "D2", "D2C2"}


def test_reruns_are_idempotent_and_remove_rows_no_longer_produced(festival_2019):
    """Running twice gives the same rows; after a commune ends, its row and its areas' counts disappear."""
    computation.year_recompute(year=YEAR)
    first = snapshot()
    computation.year_recompute(year=YEAR)
    assert snapshot() == first
    Unit.objects.filter(commune__code="D2C2").update(valid_to=datetime.date(YEAR, 1, 31))
    computation.year_recompute(year=YEAR)
    assert not TargetResult.objects.filter(unit__code="D2C2", target__code="ngay_hoi_kdc").exists()
    assert result("ngay_hoi_kdc", "20").denominator == 9


def test_a_run_left_started_by_a_crash_is_redone_and_marked_done(festival_2019):
    """Given a STARTED record and half-written rows, the next run redoes the year and ends DONE."""
    computation.year_recompute(year=YEAR)
    clean = snapshot()
    TargetResult.objects.filter(target__code="ngay_hoi_kdc").delete()
    TargetResult.objects.filter(unit__code="D1").update(numerator=0)
    ComputationRun.objects.filter(year=YEAR).update(status=RunStatus.STARTED, attempts=1, dirty=True,
                                                   dirty_since=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    run = computation.year_recompute(year=YEAR)
    assert run.status == RunStatus.DONE and run.attempts == 0 and run.dirty is False
    assert run.progress == run.total == 4
    assert snapshot() == clean


def test_a_year_that_keeps_crashing_is_marked_failed_after_bounded_attempts(tree):
    """After MAX_ATTEMPTS crashed attempts the run gives up with FAILED instead of looping forever."""
    ComputationRun.objects.create(kind="targets", year=YEAR, status=RunStatus.STARTED, attempts=computation.MAX_ATTEMPTS)
    run = computation.year_recompute(year=YEAR)
    assert run.status == RunStatus.FAILED
    assert not TargetResult.objects.exists()


def test_years_recompute_computes_every_target_of_each_year(festival_2019):
    """seed_demo's hook: every target of each given year, for every level."""
    computation.years_recompute([2019, 2018, 2019])
    assert set(TargetResult.objects.values_list("year", flat=True)) == {2018, 2019}
    assert TargetResult.objects.filter(year=YEAR).values("target").distinct().count() == 3
    assert set(ComputationRun.objects.values_list("year", "status")) == {(2018, "DONE"), (2019, "DONE")}


@pytest.fixture
def with_broker():
    """Tasks are published to a broker (mocked by the test), not run in-process."""
    from mattran.celery import app

    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = True


def test_a_change_marks_the_year_dirty_and_queues_one_recompute_per_minute(
    festival_2019, with_broker, django_capture_on_commit_callbacks,
):
    """Two changes within a minute queue one recompute after commit; the year is dirty until it runs."""
    with mock.patch("reports.tasks.compute_targets.apply_async") as publish, \
            mock.patch("emulation.tasks.recompute_scores.apply_async"):
        with django_capture_on_commit_callbacks(execute=True):
            computation.submission_changed(festival_2019)
            computation.submission_changed(festival_2019)
        with django_capture_on_commit_callbacks(execute=True):
            computation.submission_changed(festival_2019)
    publish.assert_called_once_with(args=(YEAR,), retry=False)
    run = ComputationRun.objects.get(kind="targets", year=YEAR)
    assert run.dirty is True and run.last_enqueued_at is not None


def test_with_tasks_in_process_every_change_recomputes_the_year_at_once(festival_2019, django_capture_on_commit_callbacks):
    """The demo (no broker) has no beat: each change runs the full recompute, so nothing stays dirty."""
    with django_capture_on_commit_callbacks(execute=True):
        computation.submission_changed(festival_2019)
    with django_capture_on_commit_callbacks(execute=True):
        computation.submission_changed(festival_2019)
    run = ComputationRun.objects.get(kind="targets", year=YEAR)
    assert run.status == "DONE" and run.dirty is False
    assert computation.dirty_years() == []


def test_a_broker_failure_is_logged_recorded_and_leaves_the_year_dirty(
    festival_2019, with_broker, django_capture_on_commit_callbacks, caplog,
):
    """When queueing fails the change still stands, the error is logged, the work is recorded for
    the beat job and the year stays dirty."""
    from mattran.models import PendingTask

    with mock.patch("reports.tasks.compute_targets.apply_async", side_effect=ConnectionError("broker down")), \
            mock.patch("emulation.tasks.recompute_scores.apply_async", side_effect=ConnectionError("broker down")):
        with django_capture_on_commit_callbacks(execute=True):
            computation.submission_changed(festival_2019)
    run = ComputationRun.objects.get(kind="targets", year=YEAR)
    assert run.dirty is True and run.last_enqueued_at is None
    assert "could not queue" in caplog.text
    assert computation.dirty_years() == [YEAR]
    assert result("ngay_hoi_kdc", "20").numerator == 7
    assert sorted(PendingTask.objects.values_list("task", "args")) == [
        ("emulation.recompute_scores", [YEAR]), ("reports.compute_targets", [YEAR]),
    ]


def test_the_eager_task_recomputes_the_year_and_clears_the_dirty_flag(festival_2019):
    """With no broker the task runs in-process: rows written, run DONE, year clean."""
    from reports.tasks import compute_targets, recompute_dirty_years

    ComputationRun.objects.create(kind="targets", year=YEAR, dirty=True,
                                  dirty_since=datetime.datetime(2019, 1, 1, tzinfo=datetime.UTC))
    assert recompute_dirty_years.delay().get() == [YEAR]
    assert computation.dirty_years() == []
    assert compute_targets.delay(YEAR).get()["status"] == "DONE"
    assert result("ngay_hoi_kdc", "20").numerator == 7


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
        computation.submission_changed(first)  # no full run yet
        incremental = (snapshot(), snapshot(IndicatorAggregate))
        computation.year_recompute(year=YEAR)
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
            computation.submission_changed(submission, previous_status=previous if step % 2 else None)
            incremental = (snapshot(), snapshot(IndicatorAggregate))
            computation.year_recompute(year=YEAR)
            full = (snapshot(), snapshot(IndicatorAggregate))
            assert incremental == full, f"step {step}: {submission.form.code} {submission.unit.code} → {submission.status}"
    assert TargetResult.objects.filter(unit__code="PC").exists() and IndicatorAggregate.objects.filter(unit__code="PC").exists()


def test_an_approval_recomputes_the_targets_pending_count_and_leaves_the_roll_ups_alone(festival_2019):
    """Submitted and approved values both count: approving D2's festival record changes only the count
    of values waiting for approval; the roll-ups are not rewritten, and every row equals a full run's."""
    computation.year_recompute(year=YEAR)
    rolled = dict(IndicatorAggregate.objects.values_list("id", "computed_at"))
    assert result("ngay_hoi_kdc", "20").not_approved == 2
    d2 = Submission.objects.get(form__code="ngay_hoi", unit__code="D2")
    d2.status = SubmissionStatus.APPROVED
    d2.save()
    with mock.patch("reports.tasks.compute_targets.delay"):
        computation.submission_changed(d2, previous_status=SubmissionStatus.SUBMITTED)
    assert result("ngay_hoi_kdc", "20").not_approved == 0 and result("ngay_hoi_kdc", "D2C1").not_approved == 0
    assert dict(IndicatorAggregate.objects.values_list("id", "computed_at")) == rolled
    incremental = (snapshot(), snapshot(IndicatorAggregate))
    computation.year_recompute(year=YEAR)
    assert (snapshot(), snapshot(IndicatorAggregate)) == incremental


def test_a_target_added_after_the_full_run_is_computed_for_the_whole_province_at_the_first_change(festival_2019):
    """Given a full run, then a new target on the festival record (no rows yet, so no rows below to sum),
    the first change under it computes the new target for every unit of the province, as a full run would."""
    computation.year_recompute(year=YEAR)
    existing = Target.objects.get(code="ngay_hoi_kdc")
    Target.objects.create(
        code="ngay_hoi_nua", name="Một nửa khu dân cư tổ chức Ngày hội", indicator=existing.indicator,
        counted_kinds=existing.counted_kinds, condition=existing.condition, threshold_percent=Decimal("50"),
        first_year=YEAR, last_year=YEAR,
    )
    with mock.patch("reports.tasks.compute_targets.delay"):
        computation.submission_changed(festival_2019, previous_status=SubmissionStatus.SUBMITTED)  # D2C2's draft: was counted
    incremental = snapshot()
    assert {row[1] for row in incremental if row[0] == "ngay_hoi_nua"} == {"20", "D1", "D2", "D1C1", "D1C2", "D2C1", "D2C2"}
    computation.year_recompute(year=YEAR)
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
        computation.year_recompute(year=YEAR)
        record.status = SubmissionStatus.APPROVED
        record.save()
        with mock.patch("reports.tasks.compute_targets.delay"), CaptureQueriesContext(connection) as queries:
            computation.submission_changed(record, previous_status=SubmissionStatus.SUBMITTED)
        counts.append(len(queries))
        assert result("ngay_hoi_kdc", province).not_approved == 0
    assert counts[0] == counts[1] <= 15


def test_edits_of_the_tree_or_of_the_targets_make_the_computed_years_dirty(festival_2019):
    """After a clean full run: renaming a unit changes nothing; ending one, moving one, adding one,
    changing a target's threshold or importing areas makes every computed year dirty for the beat."""
    from mattran.services import areas_import

    computation.year_recompute(year=YEAR)
    assert computation.dirty_years() == []

    def edit_makes_dirty(edit) -> bool:
        ComputationRun.objects.update(dirty=False, dirty_since=None)
        edit()
        return computation.dirty_years() == [YEAR]

    d1c1 = unit("D1C1")
    d1c1.name = "Xã Mới"
    assert not edit_makes_dirty(d1c1.save)
    d1c1.valid_to = datetime.date(YEAR, 6, 30)
    assert edit_makes_dirty(d1c1.save)
    area = unit("D2C1A1")
    area.parent = unit("D2C2")
    assert edit_makes_dirty(area.save)
    assert edit_makes_dirty(lambda: make_unit("D1C1A9", "Thôn mới", UnitKind.AREA, unit("D1C1")))
    target = Target.objects.get(code="ngay_hoi_kdc")
    target.threshold_percent = Decimal("90")
    assert edit_makes_dirty(target.save)
    content = "ma_xa,ma_kdc,ten_kdc,loai\nD1C2,D1C2A9,Thôn Chín,thôn\n".encode()
    assert edit_makes_dirty(lambda: areas_import(name="khu.csv", content=content))


def test_submissions_and_values_edited_in_the_admin_make_their_year_dirty(festival_2019, admin_client, admin_user):
    """The admin goes around the services that recompute at once: deleting a value, deleting values
    from the list, or saving a submission there marks its year (only) dirty for the beat."""
    from django.contrib import admin as django_admin
    from django.test import RequestFactory
    from django.urls import reverse

    from reports.models import DataValue

    computation.year_recompute(year=YEAR)
    ComputationRun.objects.create(kind=computation.RUN_KIND, year=YEAR + 1)

    value = DataValue.objects.filter(year=YEAR).first()
    response = admin_client.post(reverse("admin:reports_datavalue_delete", args=[value.pk]), {"post": "yes"})
    assert response.status_code == 302 and not DataValue.objects.filter(pk=value.pk).exists()
    assert computation.dirty_years() == [YEAR]

    ComputationRun.objects.update(dirty=False, dirty_since=None)
    values = list(DataValue.objects.filter(year=YEAR).values_list("pk", flat=True)[:2])
    response = admin_client.post(reverse("admin:reports_datavalue_changelist"), {
        "action": "delete_selected", "_selected_action": values, "post": "yes",
    })
    assert response.status_code == 302 and not DataValue.objects.filter(pk__in=values).exists()
    assert computation.dirty_years() == [YEAR]

    ComputationRun.objects.update(dirty=False, dirty_since=None)
    submission = Submission.objects.filter(year=YEAR).first()
    submission.status = SubmissionStatus.DRAFT
    request = RequestFactory().post("/")
    request.user = admin_user
    django_admin.site._registry[Submission].save_model(request, submission, form=None, change=True)
    assert computation.dirty_years() == [YEAR]
