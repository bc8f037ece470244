"""The one registry of document formats the portal hands out, and what official documents share.

The periodic report's formatters (docx, xlsx, pdf), the emulation sheets and rankings and the
registers' lists all name their format here and answer through ``attachment``.
"""
from dataclasses import dataclass

from django.http import HttpResponse


@dataclass(frozen=True)
class DocumentFormat:
    extension: str
    content_type: str


FORMATS = {
    "docx": DocumentFormat("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": DocumentFormat("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pdf": DocumentFormat("pdf", "application/pdf"),
}

# The header of an official document (Nghị định 30/2020/NĐ-CP), in its font.
FONT = "Times New Roman"
ORGANISATION = ("ỦY BAN MẶT TRẬN TỔ QUỐC VIỆT NAM", "TỈNH LẠNG SƠN")
NATION = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")


def attachment(content: bytes, *, fmt: str, stem: str) -> HttpResponse:
    """``content`` as a download named ``stem`` with the format's extension."""
    document = FORMATS[fmt]
    response = HttpResponse(content, content_type=document.content_type)
    response["Content-Disposition"] = f'attachment; filename="{stem}.{document.extension}"'
    return response
