"""The periodic report generator (after django-oscar's report generators): one class, three formatters."""
from __future__ import annotations

import datetime

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mattran.access import officer_of, scope_of
from mattran.models import Unit, UnitKind
from reports.exports.data import build_report_data, parse_report_period
from reports.exports.docx import DocxFormatter
from reports.exports.pdf import PdfFormatter
from reports.exports.xlsx import XlsxFormatter

FORMATTERS = {"docx": DocxFormatter, "xlsx": XlsxFormatter, "pdf": PdfFormatter}


def parse_format(text: str) -> str:
    fmt = (text or "").strip().lower()
    if fmt not in FORMATTERS:
        raise ValueError(
            _("Định dạng “%(text)s” không hỗ trợ; chọn một trong: %(choices)s.")
            % {"text": text, "choices": ", ".join(FORMATTERS)}
        )
    return fmt


class PeriodicReportGenerator:
    """The provincial (or district) committee's report for a period, as docx, xlsx or pdf.

    ``PeriodicReportGenerator(unit=…, period="2019-H1", fmt="docx").generate()`` returns bytes.
    Bad periods and formats raise ValueError with a Vietnamese message.
    """

    code = "periodic"
    description = "Báo cáo kết quả thực hiện Chương trình hành động"

    def __init__(self, *, unit: Unit, period: str, fmt: str, today: datetime.date | None = None):
        self.unit = unit
        self.period = parse_report_period(period)
        self.format = parse_format(fmt)
        self.formatter = FORMATTERS[self.format]()
        self.today = today or timezone.localdate()

    @classmethod
    def is_available_to_user(cls, user) -> bool:
        """Whether ``user`` may export reports at all: officers of a province or district, administrators."""
        officer = officer_of(user)
        if officer is None:
            return bool(user.is_authenticated and user.is_superuser)
        return officer.unit.kind in (UnitKind.PROVINCE, UnitKind.DISTRICT)

    def is_available_to(self, user) -> bool:
        """Whether ``user`` may export this report: allowed to export, and the unit is in their scope."""
        if not self.is_available_to_user(user):
            return False
        scope = scope_of(user)
        return scope is None or self.unit.is_within(scope)

    @property
    def is_large(self) -> bool:
        """A province's report goes through Celery; a district's is small enough to stream at once."""
        return self.unit.kind == UnitKind.PROVINCE

    @property
    def content_type(self) -> str:
        return self.formatter.content_type

    @property
    def stem(self) -> str:
        return f"bao-cao-{self.unit.code}-{self.period}"

    @property
    def filename(self) -> str:
        return f"{self.stem}.{self.formatter.extension}"

    def generate(self, progress=lambda percent: None) -> bytes:
        """Read the figures and render them; ``progress(percent)`` is called along the way."""
        with translation.override("vi"):  # an official document, in Vietnamese whatever the UI language
            data = build_report_data(self.unit, self.period, self.today)
            progress(30)
            content = self.formatter.render(data, progress=progress)
        progress(100)
        return content
