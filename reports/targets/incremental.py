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
from django.utils import timezone

from mattran import copies
from mattran.placements import tree_changes_within
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
    cannot change and only the targets' counts of values not yet approved move, in the same
    statement as the dirty mark, one that never waits for background work (``_approval_moved``).

    What the others need besides (the form's targets and indicators, the unit's ancestors and
    their children, whether the tree changed during the year) comes from the process's copies of
    the catalogue and the tree, checked with one query; whether each target has rows yet comes
    with the dirty mark. An approval is one statement; a submission is that query, the mark and
    the two writes of each of its targets and of its roll-up, in a savepoint (two round trips more).
    """
    year = submission.year
    eager = _tasks_run_in_process()
    now = timezone.now()
    with copies.tokens_read_once():
        change = _pending_change(submission.status, previous_status)
        if change:
            run, done = _approval_moved(submission, change, now, always_enqueue=eager)
        else:
            top = Scope(submission.unit, year).ancestors(RESULT_LEVELS)[-1:]
            targets = _form_work(submission.form_id, year).targets
            run = _run_marked_dirty(year, now, always_enqueue=eager, top=top[0][0] if top else None, targets=targets)
            done = change == 0 and run.whole
        if not done:
            done = _without_waiting(lambda: _incremental(submission, previous_status, run))
    enqueue = run.enqueued
    if not done and not enqueue:
        ComputationRun.objects.filter(pk=run.pk).update(last_enqueued_at=now)
        enqueue = True
    if enqueue:
        transaction.on_commit(lambda: enqueue_year_recompute(year))
    if done:
        target_results_changed.send(sender=Submission, year=year)


_FormWork = namedtuple("_FormWork", "indicator_ids targets")


@copies.cached_per_key("reports.targets.form_work", copies.CATALOGUE)
def _form_work(form_id: int, year: int) -> _FormWork:
    """The indicators of the form and the targets of ``year`` counting one of them: the
    catalogue's copy (read-only)."""
    indicator_ids = tuple(FormIndicator.objects.filter(form_id=form_id).order_by("indicator_id").values_list("indicator_id", flat=True))
    return _FormWork(indicator_ids, tuple(targets_of_year(year).filter(indicator_id__in=indicator_ids)))


def _pending_change(status: str, previous_status: str | None) -> int | None:
    """How an approval moves the count of values waiting for it (−1 approved, +1 back to submitted,
    0 neither), or None when the values counted change (a submission, a reopening, a return)."""
    if status not in COUNTED_STATUSES or previous_status not in COUNTED_STATUSES:
        return None
    return (status == SubmissionStatus.SUBMITTED) - (previous_status == SubmissionStatus.SUBMITTED)


_RunState = namedtuple("_RunState", "pk whole enqueued top_computed")


def _mark_sql(year: int, now, *, always_enqueue: bool, returning: tuple[str, list] = ("", [])) -> tuple[str, list]:
    """The UPDATE that marks the year dirty and locks its run row (until the transaction ends), also
    taking the full recompute's turn in the queue if none was taken in the last ``ENQUEUE_INTERVAL``.
    It returns ``id``, ``whole`` (a full run has finished: the rows below every unit are whole),
    ``enqueued`` and the columns of ``returning``."""
    table = connection.ops.quote_name(ComputationRun._meta.db_table)
    stamp = connection.ops.adapt_datetimefield_value  # stored as the ORM stores it (SQLite: naive UTC text)
    sql = (
        f"UPDATE {table} SET dirty = %s, dirty_since = %s, last_enqueued_at = CASE WHEN %s"  # noqa: S608
        " OR last_enqueued_at IS NULL OR last_enqueued_at <= %s THEN %s ELSE last_enqueued_at END"
        " WHERE kind = %s AND year = %s RETURNING id,"
        " (status = %s AND finished_at IS NOT NULL) AS whole, (last_enqueued_at = %s) AS enqueued"
        f"{returning[0]}"
    )
    params = [
        True, stamp(now), always_enqueue, stamp(now - ENQUEUE_INTERVAL), stamp(now), RUN_KIND, year,
        RunStatus.DONE, stamp(now), *returning[1],
    ]
    return sql, params


def _run_marked_dirty(year: int, now, *, always_enqueue: bool, top: int | None = None, targets=()) -> _RunState:
    """Mark the year dirty (``_mark_sql``), in one statement that also tells, when ``top`` is given,
    whether each of ``targets`` has a row for that unit yet (``top_computed``: ``{target id: bool}``)."""
    targets = list(targets) if top is not None else []
    table = connection.ops.quote_name(TargetResult._meta.db_table)
    exists = f"EXISTS (SELECT 1 FROM {table} WHERE target_id = %s AND year = %s AND unit_id = %s)"  # noqa: S608
    returning = ("".join(f", {exists}" for _target in targets), [p for target in targets for p in (target.pk, year, top)])
    sql, params = _mark_sql(year, now, always_enqueue=always_enqueue, returning=returning)

    def mark():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return True, cursor.fetchone()

    _done, row = _with_run_row(year, mark)
    return _RunState(row[0], bool(row[1]), bool(row[2]), {target.pk: bool(found) for target, found in zip(targets, row[3:], strict=True)})


def _with_run_row(year: int, statement) -> tuple[bool, tuple]:
    """``statement()`` (a statement that updates the year's run row: ``(done, its returned row or
    None)``), run again after creating the run row if the year had none yet."""
    for _attempt in range(2):
        done, row = statement()
        if row is not None:
            return done, row
        run_row(year)  # the year's first run record
    raise RuntimeError(f"no run record for {year}")


def _approval_moved(submission, change: int, now, *, always_enqueue: bool) -> tuple[_RunState, bool]:
    """Approved (or back to submitted): the same values count, only how many wait for approval
    changes, so that count is moved in place, in the same statement as the dirty mark, one that
    never waits for the target rows. False when it did not (no full run finished yet, or a row to
    move missing or locked): the caller recounts."""
    mark = _mark_sql(submission.year, now, always_enqueue=always_enqueue)
    moved, row = _with_run_row(submission.year, lambda: pending_moved(
        submission_id=submission.pk, year=submission.year, change=change, now=now, first=mark,
    ))
    run = _RunState(row[0], bool(row[1]), bool(row[2]), {})
    return run, moved and run.whole


def _incremental(submission, previous_status, run) -> None:
    year = submission.year
    counted = submission.status in COUNTED_STATUSES
    was_counted = previous_status in COUNTED_STATUSES
    if not (counted or was_counted or previous_status is None):
        return
    work = _form_work(submission.form_id, year)
    scope = Scope(submission.unit, year)
    if not run.whole or tree_changes_within(datetime.date(year, 1, 1), datetime.date(year, 12, 31)):
        # Ancestors are summed from the rows below them, which only a finished full run makes
        # whole, and which are their children's on one tree: until the first full run, and in a
        # year whose tree changed (2025: districts until June, communes under the province from
        # July), scan the top unit's whole subtree instead.
        scope = scope.top()
    # Rows disappear only when values stop counting (targets: never, by a status change).
    known = previous_status is not None and run.whole
    for target in work.targets:
        target_results_compute(
            target=target, year=year, scope=scope, prune=not known, top_computed=run.top_computed.get(target.pk),
        )
    if previous_status is None or counted != was_counted:
        within = Period.parse(submission.period)
        indicator_aggregates_compute(
            year=year, scope=scope, indicator_ids=work.indicator_ids, within=within, prune=not (known and counted),
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

