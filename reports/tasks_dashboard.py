"""Celery tasks of the dashboard helper: background report exports, deadline reminders, weekly summary.

Imported from ``reports/tasks.py`` so Celery's autodiscovery registers them.
"""
from celery import shared_task

from mattran.queue import TASK_OPTIONS


@shared_task(name="reports.run_export", **TASK_OPTIONS)
def run_export(job_id: int) -> str:
    from reports.exports.services import export_job_run

    return export_job_run(job_id=job_id).status


@shared_task(name="reports.send_deadline_reminders", **TASK_OPTIONS)
def send_deadline_reminders() -> int:
    from reports.reminders import reminders_send

    return reminders_send()


@shared_task(name="reports.send_weekly_summary", **TASK_OPTIONS)
def send_weekly_summary() -> int:
    from reports.reminders import weekly_summary_send

    return weekly_summary_send()
