"""Celery tasks of the submissions: deadline reminders and the weekly summary (beat jobs).

Imported by ``reports/tasks.py`` so Celery's autodiscovery registers them.
"""
from celery import shared_task

from mattran.queue import TASK_OPTIONS


@shared_task(name="reports.send_deadline_reminders", **TASK_OPTIONS)
def send_deadline_reminders() -> int:
    from reports.submissions.reminders import reminders_send

    return reminders_send()


@shared_task(name="reports.send_weekly_summary", **TASK_OPTIONS)
def send_weekly_summary() -> int:
    from reports.submissions.reminders import weekly_summary_send

    return weekly_summary_send()
