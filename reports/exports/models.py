"""Model of the exports: a report export run in the background, with its file.

Imported at the end of ``reports/models.py`` so they belong to the ``reports`` app.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ExportFormat(models.TextChoices):
    DOCX = "docx", _("Word (.docx)")
    XLSX = "xlsx", _("Excel (.xlsx)")
    PDF = "pdf", _("PDF")


class ExportStatus(models.TextChoices):
    PENDING = "PENDING", _("Đang chờ")
    RUNNING = "RUNNING", _("Đang xuất")
    DONE = "DONE", _("Hoàn tất")
    FAILED = "FAILED", _("Lỗi")


class ExportJob(models.Model):
    """A report export run in Celery: who asked, for which unit and period, how far it is, the file."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs")
    unit = models.ForeignKey("mattran.Unit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+")
    period = models.CharField(_("kỳ báo cáo"), max_length=10)
    format = models.CharField(_("định dạng"), max_length=4, choices=ExportFormat.choices)
    status = models.CharField(_("trạng thái"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.PENDING)
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    file = models.FileField(_("tệp"), upload_to="exports/%Y/%m/", blank=True)
    error = models.TextField(_("lỗi"), blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("lần xuất báo cáo")
        verbose_name_plural = _("lần xuất báo cáo")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="exportjob_progress_range"),
        ]

    def __str__(self):
        return f"{self.unit_id} · {self.period} · {self.format} · {self.status}"

    @property
    def is_finished(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED)
