"""Load a form's values from an .xlsx or .csv file, through the same checks as the web upload."""
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from mattran.spreadsheets import MAX_BYTES, SpreadsheetError, read_table
from reports.models import ReportForm
from reports.periods import Period
from reports.spreadsheets.importing import import_apply, import_prepare


class Command(BaseCommand):
    @property
    def help(self):
        return _("Nhập số liệu một biểu mẫu từ tệp .xlsx hoặc .csv (mẫu tải về, hoặc dòng đầu là ma_don_vi và mã chỉ số).")

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("đường dẫn tệp .xlsx hoặc .csv"))
        parser.add_argument("--form", required=True, help=_("mã biểu mẫu, ví dụ ngay_hoi"))
        parser.add_argument("--period", required=True, help=_("kỳ báo cáo, ví dụ 2019 hoặc 2019-11"))
        parser.add_argument("--as", dest="username", required=True, help=_("tên đăng nhập của người nhập"))
        parser.add_argument("--submit", action="store_true", help=_("gửi báo cáo sau khi lưu"))
        parser.add_argument("--dry-run", action="store_true", help=_("chỉ kiểm tra, không lưu gì"))

    def handle(self, *args, file, form, period, username, submit, dry_run, **options):
        form_obj = ReportForm.objects.filter(code=form).first()
        if form_obj is None:
            raise CommandError(_("Không có biểu mẫu mã “%(code)s”.") % {"code": form})
        try:
            period_obj = Period.parse(period)
        except ValueError as error:
            raise CommandError(str(error)) from None
        if period_obj.type != form_obj.period_type:
            raise CommandError(_("Kỳ %(period)s không phải kỳ của biểu mẫu “%(form)s”.") % {"period": period, "form": form})
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(_("Không có người dùng “%(name)s”.") % {"name": username})
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("Không thấy tệp “%(file)s”.") % {"file": file})
        if path.stat().st_size > MAX_BYTES:
            raise CommandError(_("Tệp quá lớn; tối đa 5 MB."))

        try:
            table = read_table(path.read_bytes(), path.name)
            plan = import_prepare(form=form_obj, period=period_obj, table=table, by=user)
        except SpreadsheetError as error:
            return self.fail(error.errors)
        except PermissionDenied:
            raise CommandError(_("Người dùng “%(name)s” không phải cán bộ nên không được nhập.") % {"name": username}) from None

        self.stdout.write(
            _("Đã đọc %(rows)s dòng: %(created)s giá trị mới, %(changed)s giá trị sửa, %(cleared)s giá trị xóa, "
              "%(unchanged)s giá trị không đổi.")
            % {"rows": plan.rows_read, "created": plan.created, "changed": plan.changed,
               "cleared": plan.cleared, "unchanged": plan.unchanged}
        )
        for warning in plan.warnings:
            self.stdout.write(self.style.WARNING(_("Cảnh báo: %(w)s") % {"w": warning}))
        if not plan.ok:
            return self.fail(plan.errors)
        if dry_run:
            self.stdout.write(_("Chạy thử: không lưu gì."))
            return
        try:
            import_apply(plan=plan, by=user, submit=submit)
        except ValidationError as error:
            return self.fail(error.messages)
        done = _("Đã lưu và gửi báo cáo.") if submit else _("Đã lưu.")
        self.stdout.write(self.style.SUCCESS(done))

    def fail(self, errors):
        for error in errors:
            self.stderr.write(str(error))
        raise CommandError(_("%(n)s lỗi; không lưu gì.") % {"n": len(errors)})
