"""Celery tasks for target computation: thin wrappers that take a year and call reports.computation."""
import logging

from celery import shared_task
from django.utils import timezone

from mattran.queue import TASK_OPTIONS

from . import computation

logger = logging.getLogger(__name__)


@shared_task(name="reports.compute_targets", bind=True, **TASK_OPTIONS)
def compute_targets(self, year: int) -> dict:
    """Recompute every target result and aggregate of ``year``; the year's scores follow
    (``reports.signals.target_results_changed``). A run whose database went away is retried with a
    backoff; one that gives up leaves the year dirty for ``recompute_dirty_years``."""
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
