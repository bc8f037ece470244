"""Whole-year runs, run records, dirty years and the queue; incremental recomputes against full ones."""
import datetime
from decimal import Decimal
from unittest import mock

import pytest

from mattran.models import Unit, UnitKind
from mattran.placements import placements_sync
from programs.models import Target
from reports import constants
from reports.models import (
    ComputationRun,
    IndicatorAggregate,
    RunStatus,
    Submission,
    SubmissionStatus,
    TargetResult,
)
from reports.targets import runs
from reports.targets.incremental import submission_changed
from reports.tests.computation_world import YEAR, result, snapshot, unit
from tests.factories import make_unit

pytestmark = pytest.mark.django_db


def test_incremental_recompute_after_a_change_equals_a_full_recompute(festival_2019, monthly):
    """Given computed results, approving D2's draft and recomputing only what it touched gives the full run's rows."""
    runs.year_recompute(year=YEAR)
    draft = festival_2019
    draft.status = SubmissionStatus.SUBMITTED
    draft.save()
    with mock.patch("reports.tasks.compute_targets.delay"):
        submission_changed(draft)
    incremental = (snapshot(), snapshot(IndicatorAggregate))
    assert result("ngay_hoi_kdc", "20").numerator == 10
    runs.year_recompute(year=YEAR)
    assert (snapshot(), snapshot(IndicatorAggregate)) == incremental


def test_incremental_recompute_only_rewrites_the_touched_units(festival_2019):
    """A change submitted for commune D2C2 rewrites D2C2 and its ancestors (D2, the province), nothing else."""
    runs.year_recompute(year=YEAR)
    before = dict(TargetResult.objects.values_list("unit__code", "computed_at").filter(target__code="ngay_hoi_kdc"))
    with mock.patch("reports.tasks.compute_targets.delay"):
        submission_changed(festival_2019)
    after = dict(TargetResult.objects.values_list("unit__code", "computed_at").filter(target__code="ngay_hoi_kdc"))
    assert {code for code in after if after[code] != before[code]} == {"20", "D2", "D2C2"}


def test_reruns_are_idempotent_and_remove_rows_no_longer_produced(festival_2019):
    """Running twice gives the same rows; after a commune ends, its row and its areas' counts disappear."""
    runs.year_recompute(year=YEAR)
    first = snapshot()
    runs.year_recompute(year=YEAR)
    assert snapshot() == first
    Unit.objects.filter(commune__code="D2C2").update(valid_to=datetime.date(YEAR, 1, 31))
    placements_sync()  # a direct UPDATE bypasses the model: the dated tree follows
    runs.year_recompute(year=YEAR)
    assert not TargetResult.objects.filter(unit__code="D2C2", target__code="ngay_hoi_kdc").exists()
    assert result("ngay_hoi_kdc", "20").denominator == 9


def test_a_run_left_started_by_a_crash_is_redone_and_marked_done(festival_2019):
    """Given a STARTED record and half-written rows, the next run redoes the year and ends DONE."""
    runs.year_recompute(year=YEAR)
    clean = snapshot()
    TargetResult.objects.filter(target__code="ngay_hoi_kdc").delete()
    TargetResult.objects.filter(unit__code="D1").update(numerator=0)
    ComputationRun.objects.filter(year=YEAR).update(status=RunStatus.STARTED, attempts=1, dirty=True,
                                                   dirty_since=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    run = runs.year_recompute(year=YEAR)
    assert run.status == RunStatus.DONE and run.attempts == 0 and run.dirty is False
    assert run.progress == run.total == 4
    assert snapshot() == clean


def test_a_year_that_keeps_crashing_is_marked_failed_after_bounded_attempts(tree):
    """After MAX_ATTEMPTS crashed attempts the run gives up with FAILED instead of looping forever."""
    ComputationRun.objects.create(kind="targets", year=YEAR, status=RunStatus.STARTED, attempts=runs.MAX_ATTEMPTS)
    run = runs.year_recompute(year=YEAR)
    assert run.status == RunStatus.FAILED
    assert not TargetResult.objects.exists()


def test_years_recompute_computes_every_target_of_each_year(festival_2019):
    """seed_demo's hook: every target of each given year, for every level."""
    runs.years_recompute_inline([2019, 2018, 2019])
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
            submission_changed(festival_2019)
            submission_changed(festival_2019)
        with django_capture_on_commit_callbacks(execute=True):
            submission_changed(festival_2019)
    publish.assert_called_once_with(args=(YEAR,), retry=False)
    run = ComputationRun.objects.get(kind="targets", year=YEAR)
    assert run.dirty is True and run.last_enqueued_at is not None


def test_with_tasks_in_process_every_change_recomputes_the_year_at_once(festival_2019, django_capture_on_commit_callbacks):
    """The demo (no broker) has no beat: each change runs the full recompute, so nothing stays dirty."""
    with django_capture_on_commit_callbacks(execute=True):
        submission_changed(festival_2019)
    with django_capture_on_commit_callbacks(execute=True):
        submission_changed(festival_2019)
    run = ComputationRun.objects.get(kind="targets", year=YEAR)
    assert run.status == "DONE" and run.dirty is False
    assert runs.dirty_years() == []


def test_a_broker_failure_is_logged_recorded_and_leaves_the_year_dirty(
    festival_2019, with_broker, django_capture_on_commit_callbacks, caplog,
):
    """When queueing fails the change still stands, the error is logged, the work is recorded for
    the beat job and the year stays dirty."""
    from mattran.models import PendingTask

    with mock.patch("reports.tasks.compute_targets.apply_async", side_effect=ConnectionError("broker down")), \
            mock.patch("emulation.tasks.recompute_scores.apply_async", side_effect=ConnectionError("broker down")):
        with django_capture_on_commit_callbacks(execute=True):
            submission_changed(festival_2019)
    run = ComputationRun.objects.get(kind="targets", year=YEAR)
    assert run.dirty is True and run.last_enqueued_at is None
    assert "could not queue" in caplog.text
    assert runs.dirty_years() == [YEAR]
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
    assert runs.dirty_years() == []
    assert compute_targets.delay(YEAR).get()["status"] == "DONE"
    assert result("ngay_hoi_kdc", "20").numerator == 7


def test_edits_of_the_tree_or_of_the_targets_make_the_computed_years_dirty(festival_2019):
    """After a clean full run: renaming a unit changes nothing; ending one, moving one, adding one,
    changing a target's threshold or importing areas makes every computed year dirty for the beat."""
    from mattran.area_import import areas_import

    runs.year_recompute(year=YEAR)
    assert runs.dirty_years() == []

    def edit_makes_dirty(edit) -> bool:
        ComputationRun.objects.update(dirty=False, dirty_since=None)
        edit()
        return runs.dirty_years() == [YEAR]

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

    runs.year_recompute(year=YEAR)
    ComputationRun.objects.create(kind=constants.RUN_KIND, year=YEAR + 1)

    value = DataValue.objects.filter(year=YEAR).first()
    response = admin_client.post(reverse("admin:reports_datavalue_delete", args=[value.pk]), {"post": "yes"})
    assert response.status_code == 302 and not DataValue.objects.filter(pk=value.pk).exists()
    assert runs.dirty_years() == [YEAR]

    ComputationRun.objects.update(dirty=False, dirty_since=None)
    values = list(DataValue.objects.filter(year=YEAR).values_list("pk", flat=True)[:2])
    response = admin_client.post(reverse("admin:reports_datavalue_changelist"), {
        "action": "delete_selected", "_selected_action": values, "post": "yes",
    })
    assert response.status_code == 302 and not DataValue.objects.filter(pk__in=values).exists()
    assert runs.dirty_years() == [YEAR]

    ComputationRun.objects.update(dirty=False, dirty_since=None)
    submission = Submission.objects.filter(year=YEAR).first()
    submission.status = SubmissionStatus.DRAFT
    request = RequestFactory().post("/")
    request.user = admin_user
    django_admin.site._registry[Submission].save_model(request, submission, form=None, change=True)
    assert runs.dirty_years() == [YEAR]


def test_a_run_that_dies_midway_leaves_its_year_dirty_and_the_beat_redoes_it(festival_2019):
    """The database goes away after the first target: the run stops with the year still dirty
    (never half-written results shown as clean), and the beat's job recomputes it in full."""
    from django.db import OperationalError

    from reports.tasks import recompute_dirty_years

    runs.year_recompute(year=YEAR)
    clean = sorted(TargetResult.objects.values_list("target__code", "unit__code", "numerator", "denominator"))
    real = runs.target_results_compute
    calls = []

    def failing(**kwargs):
        calls.append(kwargs["target"].code)
        if len(calls) == 2:
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    with mock.patch.object(runs, "target_results_compute", failing), pytest.raises(OperationalError):
        runs.year_recompute(year=YEAR)
    run = ComputationRun.objects.get(kind=constants.RUN_KIND, year=YEAR)
    assert run.status == RunStatus.STARTED and run.dirty is True
    assert runs.dirty_years() == [YEAR]

    assert recompute_dirty_years.delay().get() == [YEAR]
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.dirty is False
    assert sorted(TargetResult.objects.values_list("target__code", "unit__code", "numerator", "denominator")) == clean
