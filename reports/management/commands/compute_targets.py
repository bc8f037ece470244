"""Recompute a year's targets through Celery and print the results as a table."""
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from mattran.models import Unit
from reports.constants import RUN_KIND
from reports.formatting import format_number, format_target_percent
from reports.models import ComputationRun, RunStatus, TargetResult
from reports.tasks import compute_targets

WAIT_SECONDS = 900
POLL_SECONDS = 0.5


class Command(BaseCommand):
    @property
    def help(self):
        return _("Tính lại các chỉ tiêu của một năm (qua Celery) và in kết quả.")

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help=_("Năm cần tính, ví dụ 2019."))
        parser.add_argument("--unit", help=_("Mã đơn vị cần in; mặc định là cấp tỉnh."))

    def handle(self, *args, year, unit=None, **options):
        if not 2000 <= year <= 2100:
            raise CommandError(_("Năm %(year)s không hợp lệ; nhập năm từ 2000 đến 2100.") % {"year": year})
        units = Unit.objects.filter(parent__isnull=True)
        if unit:
            units = Unit.objects.filter(code=unit)
            if not units.exists():
                raise CommandError(_("Không có đơn vị mã “%(code)s”.") % {"code": unit})
        if compute_targets.app.conf.task_always_eager:
            compute_targets.apply(args=[year], throw=True)
        else:
            try:
                result = compute_targets.apply_async(args=[year], retry=False)
            except Exception as error:  # noqa: BLE001 - kombu raises many kinds; the message names it
                raise CommandError(
                    _("Không gửi được việc tính lại năm %(year)s tới Celery (%(error)s); kiểm tra Redis.")
                    % {"year": year, "error": error}
                ) from error
            self.stderr.write(_("Đã gửi việc tính lại năm %(year)s, đang chờ kết quả…") % {"year": year})
            self.wait_for(year, result.id)
        rows = (
            TargetResult.objects.filter(year=year, unit__in=units)
            .select_related("target", "unit").order_by("unit__code", "target__code")
        )
        header = (_("Chỉ tiêu"), _("Đơn vị"), _("Đạt/Tổng số"), _("Tỷ lệ"), _("Đạt"), _("Đến hạn"), _("Chưa báo cáo"))
        table = [header] + [
            (
                r.target.code, r.unit.code, f"{format_number(r.numerator)}/{format_number(r.denominator)}",
                format_target_percent(r.target, r),
                _("Đạt") if r.achieved else _("Không đạt"), self.due_text(r.target, year), str(r.not_reported),
            )
            for r in rows
        ]
        widths = [max(len(str(row[i])) for row in table) for i in range(len(header))]
        for row in table:
            self.stdout.write("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
        if len(table) == 1:
            self.stdout.write(_("Không có kết quả nào cho năm %(year)s.") % {"year": year})

    @staticmethod
    def due_text(target, year: int) -> str:
        """"Có" in a judged year, "Chưa" before the due year, "Đã qua (2019)" after it."""
        state = target.due_state(year)
        if state == "after":
            return _("Đã qua (%(year)s)") % {"year": target.due_year}
        return _("Có") if state == "due" else _("Chưa")

    def wait_for(self, year: int, task_id: str) -> None:
        """The run record is the task's result: wait until this task's run of the year has finished."""
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            run = ComputationRun.objects.filter(kind=RUN_KIND, year=year, task_id=task_id).first()
            if run and run.status == RunStatus.FAILED:
                raise CommandError(_("Tính lại năm %(year)s bị lỗi: %(error)s") % {"year": year, "error": run.error})
            if run and run.status == RunStatus.DONE:
                return
            time.sleep(POLL_SECONDS)
        raise CommandError(_("Quá thời gian chờ tính lại năm %(year)s; kiểm tra Celery worker.") % {"year": year})
