"""Background work of the demo server (``make run``), which has no broker, worker or beat.

One thread in the development server runs the queued tasks one at a time, after the request that
queued them has answered, and runs the beat's interval jobs (pending work, dirty years) every few
seconds. So a submitted or approved report answers at once, the whole year and the scores follow
within seconds, and a year made dirty by an admin edit is recomputed without anyone pressing
"Tính lại". Tests and commands keep running tasks inline (eager): nothing here starts unless
``MATTRAN_INPROCESS_WORKER`` is set, which ``make run`` does.
"""
from __future__ import annotations

import logging
import os
import queue
import sys
import threading
import time

from django.conf import settings
from django.db import close_old_connections

logger = logging.getLogger(__name__)

# The demo's beat: every interval job at most this often (production: settings.CELERY_BEAT_SCHEDULE).
DEMO_BEAT_SECONDS = 10.0

_jobs: queue.Queue = queue.Queue()
_thread: threading.Thread | None = None
_stop = threading.Event()


def enabled() -> bool:
    return _thread is not None


def submit(task, args) -> None:
    _jobs.put((task.name, tuple(args)))


def start_if_configured() -> None:
    """Start the thread in the process that serves requests (not the autoreloader's parent)."""
    if os.environ.get("MATTRAN_INPROCESS_WORKER") != "1":
        return
    if "runserver" not in sys.argv or (os.environ.get("RUN_MAIN") != "true" and "--noreload" not in sys.argv):
        return
    start()


def start() -> None:
    global _thread
    if _thread is None:
        _stop.clear()
        _thread = threading.Thread(target=_work, name="mattran-inprocess-worker", daemon=True)
        _thread.start()
        logger.info("background work runs in this server process (no broker configured)")


def stop(timeout: float = 30) -> None:
    """Finish the task at hand and stop (the server's exit does it by itself: the thread is a daemon)."""
    global _thread
    if _thread is not None:
        _stop.set()
        _thread.join(timeout)
        _thread = None


def _run(name: str, args: tuple) -> None:
    from celery import current_app

    try:
        current_app.tasks[name].apply(args=args, throw=True)
    except Exception:  # noqa: BLE001 - logged; the beat's dirty-year jobs redo what failed
        logger.exception("in-process task %s%r failed", name, args)
    finally:
        close_old_connections()


def _work() -> None:
    from celery import current_app

    current_app.loader.import_default_modules()  # every app's tasks, as a worker registers them
    interval_jobs = [
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if isinstance(entry["schedule"], int | float)
    ]
    next_beat = time.monotonic() + DEMO_BEAT_SECONDS
    while not _stop.is_set():
        try:
            name, args = _jobs.get(timeout=1.0)
        except queue.Empty:
            pass
        else:
            _run(name, args)
        if time.monotonic() >= next_beat:
            for name in interval_jobs:
                _run(name, ())
            next_beat = time.monotonic() + DEMO_BEAT_SECONDS
