"""Celery tasks of the emulation app: thin wrappers around services."""
from celery import shared_task

from mattran.queue import TASK_OPTIONS


@shared_task(name="emulation.recompute_scores", **TASK_OPTIONS)
def recompute_scores(year: int) -> int:
    """Recompute automatic points, totals, bands and ranks of ``year`` (idempotent)."""
    from .services import scores_recompute

    return scores_recompute(year=int(year))


@shared_task(name="emulation.recompute_dirty_years", **TASK_OPTIONS)
def recompute_dirty_years() -> list[int]:
    """Beat: queue the scores of every year still marked dirty (a lost or failed run's year)."""
    from .services import dirty_years_requeue

    return dirty_years_requeue()
