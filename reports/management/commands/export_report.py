"""``manage.py export_report --period 2019-H1 --format docx --out bao-cao.docx [--unit CODE]``."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from mattran.models import Unit, UnitKind
from reports.exports.generator import FORMATTERS, PeriodicReportGenerator


class Command(BaseCommand):
    help = "Xuất báo cáo kết quả thực hiện Chương trình hành động (docx, xlsx hoặc pdf) cho một kỳ."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="Kỳ báo cáo: 2019-H1, 2019-9M, 2019 …")
        parser.add_argument("--format", required=True, dest="fmt", help=f"Định dạng: {'|'.join(FORMATTERS)}")
        parser.add_argument("--out", required=True, help="Đường dẫn tệp kết quả")
        parser.add_argument("--unit", help="Mã đơn vị (mặc định: tỉnh)")

    def handle(self, *args, period, fmt, out, unit=None, **options):
        if unit:
            root = Unit.objects.filter(code=unit).first()
            if root is None:
                raise CommandError(f"Không có đơn vị mã “{unit}”.")
        else:
            root = Unit.objects.filter(kind=UnitKind.PROVINCE).order_by("code").first()
            if root is None:
                raise CommandError("Chưa có đơn vị cấp tỉnh; hãy nạp danh mục đơn vị trước.")
        try:
            generator = PeriodicReportGenerator(unit=root, period=period, fmt=fmt)
        except ValueError as error:
            raise CommandError(str(error)) from None
        path = Path(out)
        if not path.parent.exists():
            raise CommandError(f"Thư mục “{path.parent}” không tồn tại.")
        path.write_bytes(generator.generate())
        self.stdout.write(self.style.SUCCESS(f"Đã xuất {generator.filename} → {path}"))
