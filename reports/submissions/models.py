"""Model of the deadline reminders: the log of reminders sent (one per unit, form, period and kind).

Imported at the end of ``reports/models.py`` so it belongs to the ``reports`` app.
"""
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ReminderKind(models.TextChoices):
    BEFORE_3 = "BEFORE_3", _("3 ngày trước hạn nộp")
    AFTER_1 = "AFTER_1", _("1 ngày sau hạn nộp")
    AFTER_7 = "AFTER_7", _("7 ngày sau hạn nộp")
    WEEKLY = "WEEKLY", _("Tổng hợp hằng tuần")


class ReminderLog(models.Model):
    """One reminder sent: at most one per (unit, form, period, kind), one weekly summary per (unit, week)."""

    unit = models.ForeignKey("mattran.Unit", on_delete=models.PROTECT, related_name="+")
    form = models.ForeignKey("reports.ReportForm", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(_("kỳ báo cáo"), max_length=10, help_text=_("Kỳ của biểu mẫu, hoặc tuần ISO (2019-W45)."))
    kind = models.CharField(_("loại"), max_length=10, choices=ReminderKind.choices)
    recipients = models.TextField(_("người nhận"), blank=True)
    sent_at = models.DateTimeField(_("gửi lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("nhắc nộp báo cáo")
        verbose_name_plural = _("nhắc nộp báo cáo")
        constraints = [
            models.UniqueConstraint(fields=["unit", "form", "period", "kind"], name="reminderlog_unique"),
            models.UniqueConstraint(
                fields=["unit", "period", "kind"], condition=Q(form__isnull=True), name="reminderlog_summary_unique"
            ),
        ]

    def __str__(self):
        return f"{self.kind} · {self.unit_id} · {self.form_id} · {self.period}"
