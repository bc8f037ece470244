"""seed_demo: demo accounts, residential areas and values for Lạng Sơn (deterministic): 2016–2020 on
the old tree, the July 2025 reform, 2025–2026 on the new tree."""
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from demo.accounts import DEMO_PASSWORD
from demo.data import parse_years, seed_demo


class Command(BaseCommand):
    help = (
        "Tạo dữ liệu mẫu cho Lạng Sơn: tài khoản, khu dân cư, số liệu và báo cáo các năm "
        "(mặc định 2016-2020 trên địa giới cũ, 2025-2026 trên địa giới sau sắp xếp từ 01/07/2025). "
        "Chạy lại không thay đổi dữ liệu đã tạo."
    )

    def add_arguments(self, parser):
        parser.add_argument("--years", help="Năm có số liệu, ví dụ 2016-2018 hoặc 2019 (mặc định 2016-2020,2025-2026).")
        parser.add_argument(
            "--no-recompute", action="store_true", help="Không tính lại chỉ tiêu sau khi tạo số liệu."
        )

    def handle(self, *args, **options):
        started = time.perf_counter()
        try:
            years = parse_years(options.get("years"))
        except ValueError as exc:
            raise CommandError(_("Năm không hợp lệ: %(err)s") % {"err": exc}) from exc
        try:
            summary = seed_demo(years=years, recompute=not options["no_recompute"])
        except RuntimeError as exc:
            raise CommandError(_("Số liệu các năm trước sắp xếp đã thay đổi sau khi nhập địa giới mới: %(err)s") % {"err": exc}) from exc
        self.stdout.write(
            _("Khu dân cư mới: %(a)d; báo cáo mới: %(s)d; giá trị mới: %(v)d; kế hoạch mới: %(p)d (năm %(y)s).")
            % {
                "a": summary.areas_created, "s": summary.submissions_created, "v": summary.values_created,
                "p": summary.plans_created, "y": ", ".join(str(y) for y in years),
            }
        )
        self.stdout.write(
            _("Xong sau %(s).1f giây (tạo dữ liệu %(d).1f giây, tính chỉ tiêu %(r).1f giây).")
            % {"s": time.perf_counter() - started, "d": summary.seconds_data, "r": summary.seconds_recompute}
        )
        if summary.history_kept:
            self.stdout.write(_("Kiểm tra: mọi kết quả chỉ tiêu, số tổng hợp và điểm thi đua các năm trước 2025 không đổi sau sắp xếp."))
        self.stdout.write("")
        self.stdout.write(_("Tài khoản mẫu (mật khẩu chung: %(pw)s):") % {"pw": DEMO_PASSWORD})
        for username, label, unit_code in summary.accounts:
            self.stdout.write(f"  {username:<12} {label}" + (f" [{unit_code}]" if unit_code else ""))
