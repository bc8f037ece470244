"""Evidence files: the type is judged by content (magic bytes), not only by the name."""
import zipfile

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
ALLOWED_EXTENSIONS = {"pdf", "jpg", "jpeg", "png", "docx", "xlsx"}


def sniff_type(head: bytes, file) -> str | None:
    """pdf, jpg, png, docx or xlsx from the first bytes (and, for Office files, the zip's parts)."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"PK\x03\x04"):
        try:
            file.seek(0)
            with zipfile.ZipFile(file) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError):
            return None
        finally:
            file.seek(0)
        if "[Content_Types].xml" not in names:
            return None
        if any(name.startswith("word/") for name in names):
            return "docx"
        if any(name.startswith("xl/") for name in names):
            return "xlsx"
    return None


def evidence_validate(file) -> str:
    """Return the detected type or raise a ValidationError in Vietnamese; reads, never saves."""
    name = getattr(file, "name", "") or ""
    if file.size > MAX_EVIDENCE_BYTES:
        raise ValidationError(
            _("Tệp “%(name)s” nặng %(size).1f MB, vượt quá giới hạn 10 MB.")
            % {"name": name, "size": file.size / 1024 / 1024}
        )
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED_EXTENSIONS:
        raise ValidationError(
            _("Tệp “%(name)s” không đúng loại: chỉ nhận pdf, jpg, png, docx, xlsx.") % {"name": name}
        )
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    detected = sniff_type(head, file)
    expected = "jpg" if extension == "jpeg" else extension
    if detected != expected:
        raise ValidationError(
            _("Nội dung tệp “%(name)s” không phải là tệp %(ext)s hợp lệ.") % {"name": name, "ext": expected}
        )
    return detected
