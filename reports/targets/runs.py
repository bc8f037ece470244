"""Whole years: the STARTED/DONE run record of each (kind, year), its lock, dirty years and the beat's requeue.

A run records STARTED and DONE (after Zulip's analytics counts): after a crash the year is
redone whole, never half-kept; a year stays dirty until a run that started after its last
change finishes.
"""
from __future__ import annotations

import contextlib
import logging
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from mattran import queue
from reports.constants import RUN_KIND, RunStatus
from reports.models import ComputationRun, TargetResult
from reports.signals import target_results_changed
from reports.targets.rollups import indicator_aggregates_compute
from reports.targets.scope import table_name
from reports.targets.sql import target_results_compute, targets_of_year

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3


@contextlib.contextmanager
def _year_run_lock(year: int):
    """One full run per year at a time: a PostgreSQL advisory lock, freed if the worker dies.

    SQLite serialises writers by itself, so there is nothing to take there.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [4242, year])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [4242, year])


def run_row(year: int) -> ComputationRun:
    run, _ = ComputationRun.objects.get_or_create(kind=RUN_KIND, year=year)
    return run


def locked_run(year: int) -> ComputationRun:
    """The (kind, year) run record, row-locked until the surrounding transaction ends."""
    locked = ComputationRun.objects.select_for_update().filter(kind=RUN_KIND, year=year)
    run = locked.first()
    if run is None:
        run_row(year)
        run = locked.get()
    return run


def year_recompute(*, year: int, task_id: str = "") -> ComputationRun:
    """Recompute every target and aggregate of ``year`` with a STARTED/DONE run record.

    A record left STARTED by a crashed run is detected (under the year lock nobody else is
    running) and the whole year is redone; after ``MAX_ATTEMPTS`` crashed attempts the run is
    marked FAILED instead of crashing the worker forever.
    """
    with _year_run_lock(year):
        run = run_row(year)
        attempts = run.attempts + 1 if run.status == RunStatus.STARTED else 1
        if run.status == RunStatus.STARTED:
            logger.warning("targets %s: previous run %s did not finish; redoing the year", year, run.task_id)
        targets = list(targets_of_year(year))
        started_at = timezone.now()
        if attempts > MAX_ATTEMPTS:
            ComputationRun.objects.filter(pk=run.pk).update(
                status=RunStatus.FAILED, finished_at=started_at, error=f"gave up after {MAX_ATTEMPTS} crashed attempts",
            )
            run.refresh_from_db()
            return run
        ComputationRun.objects.filter(pk=run.pk).update(
            status=RunStatus.STARTED, started_at=started_at, finished_at=None, progress=0,
            total=len(targets) + 1, task_id=task_id or "", attempts=attempts, error="",
            last_enqueued_at=None,  # a change from now on queues the next run
        )
        # Dirty until it finishes: a run that dies, or gives up after its retries, leaves the year
        # to the beat job, never half-written results shown as final.
        ComputationRun.objects.filter(pk=run.pk, dirty=False).update(dirty=True, dirty_since=started_at)
        for done, target in enumerate(targets, start=1):
            with transaction.atomic():
                locked_run(year)
                target_results_compute(target=target, year=year)
                ComputationRun.objects.filter(pk=run.pk).update(progress=done)
        with transaction.atomic():
            locked_run(year)
            TargetResult.objects.filter(year=year).exclude(target__in=targets).delete()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {table_name(TargetResult)}")
        # Not under the run record's lock: replacing a national year's roll-up takes a minute, and
        # a submission's incremental run gives up on these rows rather than wait (see
        # ``incremental.submission_changed``); the year then stays dirty for the next run.
        indicator_aggregates_compute(year=year)
        finished_at = timezone.now()
        ComputationRun.objects.filter(pk=run.pk).update(
            status=RunStatus.DONE, finished_at=finished_at, progress=len(targets) + 1, attempts=0,
        )
        # A change made while this run was going keeps the year dirty for the next beat.
        ComputationRun.objects.filter(pk=run.pk, dirty=True, dirty_since__lte=started_at).update(
            dirty=False, dirty_since=None,
        )
    target_results_changed.send(sender=ComputationRun, year=year)
    run.refresh_from_db()
    return run


def years_recompute_inline(years) -> None:
    """Synchronously recompute every target and aggregate of each of ``years`` (seed_demo calls this)."""
    for year in sorted(set(int(y) for y in years)):
        year_recompute(year=year)


def dirty_years() -> list[int]:
    return list(
        ComputationRun.objects.filter(kind=RUN_KIND, dirty=True).order_by("year").values_list("year", flat=True)
    )


# A queued run that has not started after this long is taken as lost and queued again.
REQUEUE_AFTER = timedelta(minutes=10)


def dirty_years_requeue() -> list[int]:
    """The beat's job: queue every dirty year that has no run queued (or one queued long ago and lost)."""
    years = ComputationRun.objects.claim_dirty_years(kind=RUN_KIND, lost_after=REQUEUE_AFTER)
    for year in years:
        enqueue_year_recompute(year)
    return years


def years_mark_dirty(years=None) -> int:
    """Mark every computed year (or those of ``years``) dirty: the beat job recomputes each within
    minutes (returns how many).

    For changes that no incremental run follows: the unit tree, targets, indicators, forms, and
    submissions or values edited in the admin.
    """
    runs = ComputationRun.objects.filter(kind=RUN_KIND)
    if years is not None:
        runs = runs.filter(year__in=list(years))
    return runs.update(dirty=True, dirty_since=timezone.now())


def enqueue_year_recompute(year: int) -> bool:
    """Queue the full recompute of ``year``; when the broker cannot take it the work is recorded
    for the beat job (``mattran.queue``), the year stays dirty and False is returned."""
    from reports.targets.tasks import compute_targets

    if queue.send(compute_targets, year):
        return True
    ComputationRun.objects.filter(kind=RUN_KIND, year=year).update(last_enqueued_at=None)
    return False


def recompute_requested(*, year: int) -> bool:
    """Provincial staff asked for a recompute: mark the year dirty and queue it now."""
    run = run_row(year)
    ComputationRun.objects.filter(pk=run.pk).update(dirty=True, dirty_since=timezone.now(), last_enqueued_at=timezone.now())
    return enqueue_year_recompute(year)
