"""Celery task of the exports: a report export run in the background.

Imported by ``reports/tasks.py`` so Celery's autodiscovery registers them.
"""
from celery import shared_task

from mattran.queue import TASK_OPTIONS


@shared_task(name="reports.run_export", **TASK_OPTIONS)
def run_export(job_id: int) -> str:
    from reports.exports.services import export_job_run

    return export_job_run(job_id=job_id).status
