"""Celery tasks of the emulation app: thin wrappers around services."""
from celery import shared_task


@shared_task(name="emulation.recompute_scores", acks_late=True, reject_on_worker_lost=True, soft_time_limit=600)
def recompute_scores(year: int) -> int:
    """Recompute automatic points, totals, bands and ranks of ``year`` (idempotent)."""
    from .services import scores_recompute

    return scores_recompute(year=int(year))
