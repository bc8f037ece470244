"""Celery tasks of the targets: thin wrappers that take a year and call reports.targets.runs."""
import logging

from celery import shared_task
from django.utils import timezone

from mattran.queue import TASK_OPTIONS
from reports.targets import runs

logger = logging.getLogger(__name__)


@shared_task(name="reports.compute_targets", bind=True, **TASK_OPTIONS)
def compute_targets(self, year: int) -> dict:
    """Recompute every target result and aggregate of ``year``; the year's scores follow
    (``reports.signals.target_results_changed``). A run whose database went away is retried with a
    backoff; one that gives up leaves the year dirty for ``recompute_dirty_years``."""
    run = runs.year_recompute(year=int(year), task_id=self.request.id or "")
    return {"year": run.year, "status": run.status, "progress": run.progress, "total": run.total}


@shared_task(name="reports.recompute_dirty_years", bind=True, **TASK_OPTIONS)
def recompute_dirty_years(self) -> list[int]:
    """Beat, every few minutes: queue a recompute of each year a change has marked dirty."""
    return runs.dirty_years_requeue()


@shared_task(name="reports.compute_current_year", bind=True, **TASK_OPTIONS)
def compute_current_year(self) -> int:
    """Beat, nightly: recompute the current year whatever its dirty flag says."""
    year = timezone.localdate().year
    runs.year_recompute(year=year, task_id=self.request.id or "")
    return year
