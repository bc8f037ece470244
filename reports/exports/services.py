"""Writes of the export feature: create a background export job, run it."""
from __future__ import annotations

import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from mattran.queue import enqueue
from reports.models_dashboard import ExportJob, ExportStatus

from .generator import PeriodicReportGenerator

logger = logging.getLogger(__name__)


@transaction.atomic
def export_job_create(*, user, generator: PeriodicReportGenerator) -> ExportJob:
    """Record the job and queue its Celery task once the row is committed."""
    from reports.tasks_dashboard import run_export

    job = ExportJob.objects.create(
        created_by=user, unit=generator.unit, period=str(generator.period), format=generator.format,
    )
    enqueue(run_export, job.pk)
    return job


def export_job_run(*, job_id: int) -> ExportJob:
    """Generate the file of a job, reporting progress; a finished job is left as it is."""
    job = ExportJob.objects.select_related("unit").get(pk=job_id)
    if job.is_finished:
        return job
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, progress=5)

    def progress(percent):
        ExportJob.objects.filter(pk=job.pk).update(progress=min(int(percent), 99))

    try:
        generator = PeriodicReportGenerator(unit=job.unit, period=job.period, fmt=job.format)
        content = generator.generate(progress=progress)
    except Exception as error:  # noqa: BLE001 - the user sees that the export failed, the log has the trace
        logger.exception("export job %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.FAILED, error=str(error), finished_at=timezone.now())
        job.refresh_from_db()
        return job
    job.refresh_from_db()
    job.file.save(generator.filename, ContentFile(content), save=False)
    job.status, job.progress, job.finished_at = ExportStatus.DONE, 100, timezone.now()
    job.save(update_fields=["file", "status", "progress", "finished_at"])
    return job
