"""A submission that changes status is recomputed at once, incrementally, inside its transaction.

The submitting unit's subtree by a scan of it, then each of its ancestors, nearest first, from
its children's rows (a unit's subtree is itself plus its children's subtrees), so a district's
approval reads and writes a few hundred rows, not its province's. Summing rows needs the rows
below to be whole, which a finished full run makes them; until the first one, the top unit's
subtree is scanned instead. The roll-ups are limited to the periods containing the
submission's, and an approval (submitted values already count) leaves them alone.
"""
from __future__ import annotations

import datetime
import logging
from datetime import timedelta

from django.db import OperationalError, connection, transaction
from django.utils import timezone

from mattran.placements import tree_changes_within
from reports.constants import COUNTED_STATUSES, RunStatus
from reports.models import ComputationRun, Submission
from reports.periods import Period
from reports.signals import target_results_changed
from reports.targets.rollups import indicator_aggregates_compute
from reports.targets.runs import enqueue_year_recompute, locked_run
from reports.targets.scope import Scope
from reports.targets.sql import target_results_compute, targets_of_year

logger = logging.getLogger(__name__)

ENQUEUE_INTERVAL = timedelta(seconds=60)



# How long a submission's incremental run may wait for a row lock before it leaves the work to
# the full recompute (a running full recompute holds the year's roll-up rows for about a minute).
INCREMENTAL_LOCK_TIMEOUT = "1s"


def submission_changed(submission, previous_status: str | None = None) -> None:
    """Called inside the transaction that submits, approves, reopens or returns ``submission``.

    Recomputes at once, set-based, only what the submission touched (its year; the submitting
    unit's subtree and ancestors; the targets and indicators of its form; the periods containing
    its own), marks the year dirty and, at most once per year per minute (every time when tasks
    run inline), queues a full recompute after commit. If the broker is down the change still
    saves and the work is recorded (``mattran.queue``); the year stays dirty.

    With ``previous_status``: when the values counted before and after are the same (an approval:
    submitted and approved values both count, and only open forms can be edited), the roll-ups
    cannot change and only the targets are recomputed (their count of values not yet approved).
    """
    year = submission.year
    run = locked_run(year)
    done = _without_waiting(lambda: _incremental(submission, previous_status, run))
    now = timezone.now()
    changes = {"dirty": True, "dirty_since": now}
    eager = _tasks_run_in_process()
    enqueue = not done or eager or run.last_enqueued_at is None or now - run.last_enqueued_at >= ENQUEUE_INTERVAL
    if enqueue:
        changes["last_enqueued_at"] = now
    ComputationRun.objects.filter(pk=run.pk).update(**changes)
    if enqueue:
        transaction.on_commit(lambda: enqueue_year_recompute(year))
    if done:
        target_results_changed.send(sender=Submission, year=year)


def _incremental(submission, previous_status, run) -> None:
    year = submission.year
    counted = submission.status in COUNTED_STATUSES
    was_counted = previous_status in COUNTED_STATUSES
    if not (counted or was_counted or previous_status is None):
        return
    indicator_ids = list(submission.form.form_indicators.values_list("indicator_id", flat=True))
    scope = Scope(submission.unit, year)
    whole = run.status == RunStatus.DONE and run.finished_at is not None
    if not whole or tree_changes_within(datetime.date(year, 1, 1), datetime.date(year, 12, 31)):
        # Ancestors are summed from the rows below them, which only a finished full run makes
        # whole, and which are their children's on one tree: until the first full run, and in a
        # year whose tree changed (2025: districts until June, communes under the province from
        # July), scan the top unit's whole subtree instead.
        scope = scope.top()
    # Rows disappear only when values stop counting (targets: never, by a status change).
    known = previous_status is not None and whole
    for target in targets_of_year(year).filter(indicator_id__in=indicator_ids):
        target_results_compute(target=target, year=year, scope=scope, prune=not known)
    if indicator_ids and (previous_status is None or counted != was_counted):
        within = Period.parse(submission.period)
        indicator_aggregates_compute(
            year=year, scope=scope, indicator_ids=indicator_ids, within=within, prune=not (known and counted),
        )


def _without_waiting(work) -> bool:
    """Run ``work`` in a savepoint that gives up (and undoes it) rather than wait long for a row
    lock held by background work; False when it gave up. SQLite serialises writers by itself."""
    if connection.vendor != "postgresql":
        work()
        return True
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{INCREMENTAL_LOCK_TIMEOUT}'")
            work()
            cursor.execute("SET LOCAL lock_timeout TO DEFAULT")
    except OperationalError as error:
        if getattr(error.__cause__, "pgcode", None) != "55P03":  # lock_not_available
            raise
        logger.info("incremental recompute gave way to a running full recompute; the year stays dirty")
        return False
    return True


def _tasks_run_in_process() -> bool:
    """Tasks run inline (tests, commands): nothing would pick up a dirty year later."""
    from mattran import inprocess
    from mattran.celery import app

    return bool(app.conf.task_always_eager) and not inprocess.enabled()

