"""Celery tasks of the registers: thin wrappers around services."""
from celery import shared_task

from .services import register_counts_to_aggregates


@shared_task(name="registers.recompute_counts", acks_late=True, reject_on_worker_lost=True, soft_time_limit=300)
def recompute_counts(year: int) -> int:
    """Recompute the registers' yearly counts of ``year`` into IndicatorAggregate."""
    return register_counts_to_aggregates(year=int(year))
