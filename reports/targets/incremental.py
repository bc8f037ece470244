"""A submission that changes status is recomputed at once, incrementally, inside its transaction.

The submitting unit's subtree by a scan of it, then each of its ancestors, nearest first, from
its children's rows (a unit's subtree is itself plus its children's subtrees), so a district's
approval reads and writes a few hundred rows, not its province's. Summing rows needs the rows
below to be whole, which a finished full run makes them; until the first one, the top unit's
subtree is scanned instead. The roll-ups are limited to the periods containing the
submission's, and an approval (submitted values already count) leaves them alone: it only
moves each target's count of values not yet approved, in one statement.
"""
from __future__ import annotations

import datetime
import logging
from collections import namedtuple
from datetime import timedelta

from django.db import OperationalError, connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from mattran.placements import tree_changes
from reports.constants import COUNTED_STATUSES, RUN_KIND, RunStatus, SubmissionStatus
from reports.models import ComputationRun, FormIndicator, Submission, TargetResult
from reports.periods import Period
from reports.signals import target_results_changed
from reports.targets.rollups import indicator_aggregates_compute
from reports.targets.runs import enqueue_year_recompute, run_row
from reports.targets.scope import RESULT_LEVELS, Scope
from reports.targets.sql import pending_moved, target_results_compute, targets_of_year

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
    cannot change and only the targets' counts of values not yet approved move, in one statement
    that never waits for background work (``_approval_moved``).
    """
    year = submission.year
    eager = _tasks_run_in_process()
    now = timezone.now()
    run = _run_marked_dirty(year, now, always_enqueue=eager)
    done = _approval_moved(submission, previous_status, run, now) or _without_waiting(
        lambda: _incremental(submission, previous_status, run),
    )
    enqueue = run.enqueued
    if not done and not enqueue:
        ComputationRun.objects.filter(pk=run.pk).update(last_enqueued_at=now)
        enqueue = True
    if enqueue:
        transaction.on_commit(lambda: enqueue_year_recompute(year))
    if done:
        target_results_changed.send(sender=Submission, year=year)


_RunState = namedtuple("_RunState", "pk status finished_at enqueued tree_changed")


def _run_marked_dirty(year: int, now, *, always_enqueue: bool) -> _RunState:
    """Mark the year dirty and lock its run row (until the transaction ends), in one statement:
    also take the full recompute's turn in the queue if none was taken in the last
    ``ENQUEUE_INTERVAL`` (``enqueued``), and tell whether the tree changed during the year (some
    placement starts or ends within it: the year of the reform). Returns what the incremental run
    needs to know."""
    table = connection.ops.quote_name(ComputationRun._meta.db_table)
    changes, changes_params = tree_changes(
        datetime.date(year, 1, 1), datetime.date(year, 12, 31),
    ).values("pk")[:1].query.sql_with_params()
    sql = (
        f"UPDATE {table} SET dirty = %s, dirty_since = %s, last_enqueued_at = CASE WHEN %s"  # noqa: S608
        " OR last_enqueued_at IS NULL OR last_enqueued_at <= %s THEN %s ELSE last_enqueued_at END"
        f" WHERE kind = %s AND year = %s RETURNING id, status, finished_at, last_enqueued_at = %s, EXISTS ({changes})"
    )
    stamp = connection.ops.adapt_datetimefield_value  # stored as the ORM stores it (SQLite: naive UTC text)
    params = [
        True, stamp(now), always_enqueue, stamp(now - ENQUEUE_INTERVAL), stamp(now), RUN_KIND, year, stamp(now),
        *changes_params,
    ]
    for _attempt in range(2):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        if row is not None:
            return _RunState(row[0], row[1], row[2], bool(row[3]), bool(row[4]))
        run_row(year)  # the year's first run record
    raise RuntimeError(f"no run record for {year}")


def _whole(run) -> bool:
    """The year's rows below every unit are whole: a full run has finished."""
    return run.status == RunStatus.DONE and run.finished_at is not None


def _approval_moved(submission, previous_status, run, now) -> bool:
    """Approved (or back to submitted): the same values count, only how many wait for approval
    changes, so that count is moved in place, in one statement that never waits. False when it
    did not (any other change, or a row to move missing or locked): the caller recounts."""
    counted = submission.status in COUNTED_STATUSES and previous_status in COUNTED_STATUSES
    if not (counted and _whole(run)):
        return False
    change = (submission.status == SubmissionStatus.SUBMITTED) - (previous_status == SubmissionStatus.SUBMITTED)
    return not change or pending_moved(submission_id=submission.pk, year=submission.year, change=change, now=now)


def _incremental(submission, previous_status, run) -> None:
    year = submission.year
    counted = submission.status in COUNTED_STATUSES
    was_counted = previous_status in COUNTED_STATUSES
    if not (counted or was_counted or previous_status is None):
        return
    whole = _whole(run)
    indicator_ids = FormIndicator.objects.filter(form_id=submission.form_id).values("indicator_id")  # a subquery
    scope = Scope(submission.unit, year)
    if not whole or run.tree_changed:
        # Ancestors are summed from the rows below them, which only a finished full run makes
        # whole, and which are their children's on one tree: until the first full run, and in a
        # year whose tree changed (2025: districts until June, communes under the province from
        # July), scan the top unit's whole subtree instead.
        scope = scope.top()
    # Rows disappear only when values stop counting (targets: never, by a status change).
    known = previous_status is not None and whole
    targets = targets_of_year(year).filter(indicator_id__in=indicator_ids)
    ancestors = scope.ancestors(RESULT_LEVELS)
    if ancestors:  # whether each target has a row under the top ancestor, asked with the targets
        targets = targets.annotate(top_computed=Exists(
            TargetResult.objects.filter(target=OuterRef("pk"), year=year, unit_id=ancestors[-1][0]),
        ))
    for target in targets:
        target_results_compute(
            target=target, year=year, scope=scope, prune=not known, top_computed=getattr(target, "top_computed", None),
        )
    if previous_status is None or counted != was_counted:
        within = Period.parse(submission.period)
        indicator_aggregates_compute(
            year=year, scope=scope, indicator_ids=indicator_ids, within=within, prune=not (known and counted),
        )


SAVEPOINT = "incremental_recompute"


def _without_waiting(work) -> bool:
    """Run ``work`` in a savepoint that gives up (and undoes it) rather than wait long for a row
    lock held by background work; False when it gave up. One round trip opens the savepoint with
    its lock timeout, one closes both (Django's ``atomic`` would take four). SQLite serialises
    writers by itself."""
    if connection.vendor != "postgresql":
        work()
        return True
    if not connection.in_atomic_block:  # a savepoint needs a transaction
        with transaction.atomic():
            return _without_waiting(work)
    needs_rollback = connection.needs_rollback
    with connection.cursor() as cursor:
        cursor.execute(f"SAVEPOINT {SAVEPOINT}; SET LOCAL lock_timeout = '{INCREMENTAL_LOCK_TIMEOUT}'")
        try:
            work()
        except OperationalError as error:
            if getattr(error.__cause__, "pgcode", None) != "55P03":  # lock_not_available
                raise
            # An atomic block inside ``work`` that let the error through marked the transaction
            # for rollback; the savepoint undoes its work, so the transaction goes on.
            connection.needs_rollback = needs_rollback
            cursor.execute(f"ROLLBACK TO SAVEPOINT {SAVEPOINT}; RELEASE SAVEPOINT {SAVEPOINT}")
            logger.info("incremental recompute gave way to a running full recompute; the year stays dirty")
            return False
        cursor.execute(f"SET LOCAL lock_timeout TO DEFAULT; RELEASE SAVEPOINT {SAVEPOINT}")
    return True


def _tasks_run_in_process() -> bool:
    """Tasks run inline (tests, commands): nothing would pick up a dirty year later."""
    from mattran import inprocess
    from mattran.celery import app

    return bool(app.conf.task_always_eager) and not inprocess.enabled()

