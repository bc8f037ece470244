"""import_areas FILE: residential areas (khu dân cư) from .xlsx or .csv, all or nothing."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from mattran.area_import import AreaImportError, areas_import


class Command(BaseCommand):
    help = (
        "Nhập khu dân cư từ tệp .xlsx hoặc .csv với các cột ma_xa, ma_kdc, ten_kdc, loai "
        "và tùy chọn hieu_luc_tu, hieu_luc_den (dd/mm/yyyy). Tệp có lỗi bị từ chối toàn bộ."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Đường dẫn tệp .xlsx hoặc .csv.")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("Không tìm thấy tệp %(path)s.") % {"path": path})
        try:
            result = areas_import(name=path.name, content=path.read_bytes())
        except AreaImportError as exc:
            for message in exc.errors:
                self.stderr.write(message)
            raise CommandError(
                _("Tệp bị từ chối (%(n)d lỗi); không có gì được lưu.") % {"n": len(exc.errors)}
            ) from exc
        self.stdout.write(str(result))
