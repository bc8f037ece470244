"""PDF formatter: an HTML template printed by WeasyPrint with the same margins and fonts as the Word file."""
from __future__ import annotations

from django.template.loader import render_to_string

from reports.exports.data import ReportData
from reports.exports.formats import FORMATS


class PdfFormatter:
    extension = FORMATS["pdf"].extension
    content_type = FORMATS["pdf"].content_type
    template_name = "reports/exports/report.html"

    def render(self, data: ReportData, progress=lambda percent: None) -> bytes:
        from weasyprint import HTML  # heavy import, only when a PDF is asked for

        html = render_to_string(self.template_name, {"data": data})
        progress(50)
        return HTML(string=html).write_pdf()
