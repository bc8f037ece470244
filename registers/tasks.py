"""Celery tasks of the registers: thin wrappers around services."""
from celery import shared_task

from mattran.queue import TASK_OPTIONS

from .services import register_counts_to_aggregates


@shared_task(name="registers.recompute_counts", **TASK_OPTIONS)
def recompute_counts(year: int) -> int:
    """Recompute the registers' yearly counts of ``year`` into IndicatorAggregate."""
    return register_counts_to_aggregates(year=int(year))
