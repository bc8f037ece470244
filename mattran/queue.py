"""The one way background work is queued, and the options every task shares.

``enqueue(task, *args)`` queues a task after the surrounding transaction commits (never for rows
that may roll back). Publishing has a short timeout and no retry loop, so a hung or absent broker
costs a request about a second; when the broker cannot take the message, the work is recorded as
a ``PendingTask`` row and the beat job ``mattran.flush_pending_tasks`` queues it once the broker
is back. The user's write is saved either way, and the request is told (``deferred_in_request``)
so the page can say that the figures will be updated later.

Every task is declared with ``TASK_OPTIONS``: acknowledged late and redelivered when its worker
dies, retried with a backoff long enough to ride out a database restart, bounded in time.
Tasks are idempotent (upserts on unique keys, run records), so a redelivered or re-queued message
is harmless.
"""
from __future__ import annotations

import contextvars
import hashlib
import json
import logging
import time

from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

TASK_OPTIONS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    # Transient database errors (a restart, a failover, a cut connection) are retried: 10, 20, 40,
    # 80, 160 s and then every 300 s, about 15 minutes in all, before the task gives up.
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 10,
    "retry_backoff_max": 300,
    "retry_jitter": False,
    "max_retries": 7,
    "soft_time_limit": 600,
    "time_limit": 660,
    # Run records and the database are the results: queueing never waits on a result store.
    "ignore_result": True,
}

# Set while a request (or command) runs when some work could not be queued and was recorded.
_deferred: contextvars.ContextVar[bool] = contextvars.ContextVar("mattran_queue_deferred", default=False)


# After the broker failed, this process records work without trying it for a while: with a hung
# broker every attempt would cost its full socket timeout.
BROKER_BACKOFF_SECONDS = 15.0
_broker_down_until = 0.0


def deferred_in_request() -> bool:
    return _deferred.get()


def reset_deferred() -> contextvars.Token:
    return _deferred.set(False)


def restore_deferred(token: contextvars.Token) -> None:
    _deferred.reset(token)


def _key(name: str, args: tuple) -> str:
    """One row per distinct call: the task's name and a digest of its arguments (an e-mail's
    arguments are long; cutting them would make two different e-mails one)."""
    digest = hashlib.sha256(json.dumps(list(args), sort_keys=True, default=str).encode()).hexdigest()
    return f"{name}:{digest}"


def enqueue(task, *args, robust: bool = False) -> None:
    """Queue ``task(*args)`` once the current transaction commits (at once outside a transaction).

    ``robust``: when tasks run in-process (no broker), a failure of the task is logged instead of
    raised into the request that queued it (e-mail: a mail server that is down must not fail a save).
    """
    transaction.on_commit(lambda: send(task, *args), robust=robust)


def send(task, *args) -> bool:
    """Publish ``task(*args)`` now; if the broker cannot take it, record it for the beat job."""
    global _broker_down_until
    if task.app.conf.task_always_eager:
        from . import inprocess

        if inprocess.enabled():  # the demo server: after this request, on its own thread
            inprocess.submit(task, args)
        else:  # tests and commands: at once; the task's own errors are the task's, not the broker's
            task.apply_async(args=args)
        return True
    if time.monotonic() < _broker_down_until:
        record_pending(task.name, args)
        return False
    try:
        task.apply_async(args=args, retry=False)
    except Exception:  # noqa: BLE001 - kombu and redis raise many kinds; none may undo a saved write
        logger.warning("could not queue %s%r; recorded for the beat job", task.name, args, exc_info=True)
        _broker_down_until = time.monotonic() + BROKER_BACKOFF_SECONDS
        record_pending(task.name, args)
        return False
    return True


def record_pending(name: str, args: tuple) -> None:
    """Keep ``name(*args)`` in the database until the broker takes it (one row per distinct call)."""
    from .models import PendingTask

    _deferred.set(True)
    try:
        PendingTask.objects.get_or_create(key=_key(name, args), defaults={"task": name, "args": list(args)})
    except IntegrityError:
        pass  # recorded by a concurrent request
    except DatabaseError:
        logger.exception("could not record pending task %s%r", name, args)


def pending_flush(*, limit: int = 500) -> int:
    """Queue the recorded work again, oldest first; rows go only once the broker took them."""
    from celery import current_app

    from .models import PendingTask

    global _broker_down_until
    _broker_down_until = 0.0  # the flush is how the broker is tried again
    sent = 0
    with transaction.atomic():
        rows = list(PendingTask.objects.select_for_update(skip_locked=True).order_by("pk")[:limit])
        for row in rows:
            task = current_app.tasks.get(row.task)
            if task is None:
                logger.error("pending task %s is not registered; kept", row.task)
                continue
            try:
                task.apply_async(args=row.args, retry=False)
            except Exception:  # noqa: BLE001 - the broker is still away: keep the rest for the next run
                PendingTask.objects.filter(pk=row.pk).update(attempts=row.attempts + 1, last_tried_at=timezone.now())
                logger.warning("broker still unavailable; %s pending tasks kept", len(rows) - sent)
                break
            row.delete()
            sent += 1
    return sent
