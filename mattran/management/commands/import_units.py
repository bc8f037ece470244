"""import_units: the official division list (tỉnh, huyện, xã) from the vietnam_provinces package,
or, with --as-of, the two-level list of the 2025 reform from the vietnamadminunits package."""
import datetime
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from mattran.reform import units_import_reform
from mattran.services import units_import_from_package


def _day(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(_("Ngày “%(text)s” không đúng dạng YYYY-MM-DD.") % {"text": text}) from None


class Command(BaseCommand):
    help = "Nhập danh mục đơn vị hành chính (tỉnh, huyện, xã) từ gói vietnam_provinces; với --as-of, danh mục hai cấp từ ngày đó."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--province", help="Mã tỉnh theo Tổng cục Thống kê, ví dụ 20 (Lạng Sơn).")
        group.add_argument("--all", action="store_true", help="Nhập cả 63 tỉnh, thành phố (34 với --as-of).")
        parser.add_argument(
            "--as-of", help="Ngày danh mục sau sắp xếp có hiệu lực, ví dụ 2025-07-01: huyện và xã cũ kết thúc hôm trước.",
        )

    def handle(self, *args, **options):
        started = time.perf_counter()
        province = None if options["all"] else options["province"]
        try:
            if options["as_of"]:
                counts = units_import_reform(as_of=_day(options["as_of"]), province_code=province)
            else:
                counts = units_import_from_package(province_code=province)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(counts))
        self.stdout.write(_("Xong sau %(s).1f giây.") % {"s": time.perf_counter() - started})
