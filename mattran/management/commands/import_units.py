"""import_units: the official division list (tỉnh, huyện, xã) from the vietnam_provinces package."""
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from mattran.services import units_import_from_package


class Command(BaseCommand):
    help = "Nhập danh mục đơn vị hành chính (tỉnh, huyện, xã) từ gói vietnam_provinces."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--province", help="Mã tỉnh theo Tổng cục Thống kê, ví dụ 20 (Lạng Sơn).")
        group.add_argument("--all", action="store_true", help="Nhập cả 63 tỉnh, thành phố.")

    def handle(self, *args, **options):
        started = time.perf_counter()
        try:
            counts = units_import_from_package(province_code=None if options["all"] else options["province"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(counts))
        self.stdout.write(_("Xong sau %(s).1f giây.") % {"s": time.perf_counter() - started})
