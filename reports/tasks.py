"""Celery tasks for target computation: thin wrappers that take a year and call reports.computation."""
import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from . import computation

logger = logging.getLogger(__name__)

# Late acknowledgement: a worker killed mid-run leaves the message unacknowledged, the broker
# hands it out again, and the STARTED run record tells the rerun to redo the whole year.
TASK_OPTIONS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": True,
    "max_retries": 3,
    "soft_time_limit": 600,
    "time_limit": 660,
    # The run record (ComputationRun) is the result: queueing never waits on a result store,
    # so an approval saves quickly even when Redis is down.
    "ignore_result": True,
}


@shared_task(name="reports.compute_targets", bind=True, **TASK_OPTIONS)
def compute_targets(self, year: int) -> dict:
    """Recompute every target result and aggregate of ``year``."""
    run = computation.year_recompute(year=int(year), task_id=self.request.id or "")
    return {"year": run.year, "status": run.status, "progress": run.progress, "total": run.total}


@shared_task(name="reports.recompute_dirty_years", bind=True, **TASK_OPTIONS)
def recompute_dirty_years(self) -> list[int]:
    """Beat, every few minutes: queue a recompute of each year a change has marked dirty."""
    years = computation.dirty_years()
    for year in years:
        computation.enqueue_year_recompute(year)
    return years


@shared_task(name="reports.compute_current_year", bind=True, **TASK_OPTIONS)
def compute_current_year(self) -> int:
    """Beat, nightly: recompute the current year whatever its dirty flag says."""
    year = timezone.localdate().year
    computation.year_recompute(year=year, task_id=self.request.id or "")
    return year


from . import tasks_dashboard  # noqa: E402,F401  (exports and reminders register with Celery)
