"""Time and measure refusing a zip-bombed areas file: a 400 MB-inflating .xlsx of a few hundred kilobytes.

Each refusal runs in a fresh Python process, so its peak memory (``ru_maxrss``) is its own: through
``manage.py import_areas``, through ``areas_import`` (the service the web uploads call), and through
the administrator's upload page itself (a signed-in POST of the file). The bomb comes in two shapes: an honest one whose archive declares the
400 MB, and a lying one whose archive declares 1 MB for the same data. Goal: refused within 10 s
with at most 150 MB of memory.
"""
from __future__ import annotations

import os
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from _common import ROOT, setup_django

INFLATED_BYTES = 400 * 1024 * 1024
GOAL_SECONDS = 10.0
GOAL_MEMORY_MB = 150
DECLARED_WHEN_LYING = 1024 * 1024

_ROW = '<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>05971</t></is></c><c r="B{n}" t="inlineStr"><is><t>KDC</t></is></c></row>'
_SERVICE_CALL = (
    "import django, sys; django.setup();"
    "from pathlib import Path; from mattran.area_import import AreaImportError, areas_import;\n"
    "path = Path(sys.argv[1])\n"
    "try:\n    areas_import(name=path.name, content=path.read_bytes())\n"
    "except AreaImportError as error:\n    print(error.errors[0]); sys.exit(1)\n"
)
# The administrator's web upload page itself (admin → Đơn vị → Tải lên danh mục khu dân cư).
_PAGE_CALL = (
    "import django, sys; django.setup();"
    "from pathlib import Path; from django.contrib.auth import get_user_model;"
    "from django.core.files.uploadedfile import SimpleUploadedFile; from django.test import Client;\n"
    "User = get_user_model()\n"
    "user = User.objects.filter(username='bench_admin').first() or User.objects.create_superuser('bench_admin', '', 'x')\n"
    "client = Client(); client.force_login(user); path = Path(sys.argv[1])\n"
    "page = client.post('/admin/mattran/unit/nhap-khu-dan-cu/', {'file': SimpleUploadedFile(path.name, path.read_bytes())})\n"
    "text = page.content.decode()\n"
    "refusal = next((m for m in ('giải nén ra quá lớn', 'bị hỏng') if m in text), None)\n"
    "print(f'page {page.status_code}: ' + (refusal or 'no refusal shown')); sys.exit(1 if refusal else 0)\n"
)


def bomb(path: Path, *, lying: bool = False) -> None:
    """Write an .xlsx whose one sheet is ``INFLATED_BYTES`` of row XML; ``lying`` patches the declared size down."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=False) as sheet:
            sheet.write(b'<?xml version="1.0"?><worksheet><sheetData>')
            block = "".join(_ROW.format(n=1) for _ in range(2000)).encode()
            for _ in range(INFLATED_BYTES // len(block)):
                sheet.write(block)
            sheet.write(b"</sheetData></worksheet>")
    if lying:
        _declare_size(path, "xl/worksheets/sheet1.xml", DECLARED_WHEN_LYING)


def _declare_size(path: Path, member: str, size: int) -> None:
    """Overwrite a member's uncompressed size in its local header and its central-directory entry."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
    struct.pack_into("<I", data, info.header_offset + 22, size)
    entry = data.find(b"PK\x01\x02")
    while entry != -1:
        name_length = struct.unpack_from("<H", data, entry + 28)[0]
        if data[entry + 46:entry + 46 + name_length].decode() == member:
            struct.pack_into("<I", data, entry + 24, size)
            break
        entry = data.find(b"PK\x01\x02", entry + 46)
    path.write_bytes(bytes(data))


def _refuse(argv: list[str]) -> tuple[float, float, int, str]:
    """Run ``argv`` in a new process: (seconds, peak memory in MB, exit code, last line of output)."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=os.environ.copy())
    output = proc.stdout.read().decode(errors="replace")
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    lines = [line for line in output.strip().splitlines() if line.strip()]
    return seconds, usage.ru_maxrss / 1024, proc.returncode, (lines[0] if lines else "")


def run() -> list[dict]:
    setup_django("bench_zipbomb_")
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for lying in (False, True):
            path = Path(folder) / ("kdc_lying.xlsx" if lying else "kdc.xlsx")
            bomb(path, lying=lying)
            shape = f"{path.stat().st_size / 1024:.0f} KB → 400 MB" + (", declared 1 MB" if lying else "")
            for how, argv in (
                ("import_areas", [sys.executable, "manage.py", "import_areas", str(path)]),
                ("areas_import (web upload's service)", [sys.executable, "-c", _SERVICE_CALL, str(path)]),
                ("admin web upload page", [sys.executable, "-c", _PAGE_CALL, str(path)]),
            ):
                seconds, memory, code, message = _refuse(argv)
                refused = code != 0
                within = refused and memory <= GOAL_MEMORY_MB
                results.append({
                    "name": f"{how}: zip bomb ({shape})",
                    "seconds": round(seconds, 3) if within else None,
                    "goal": GOAL_SECONDS,
                    "note": f"{'refused' if refused else 'ACCEPTED'}; peak {memory:.0f} MB (goal ≤ {GOAL_MEMORY_MB} MB); "
                            f"{message[:120]}",
                    **({} if within else {"error": True}),
                })
    return results


if __name__ == "__main__":
    for figure in run():
        print(f"{figure['name']}: {figure['seconds']} s (goal < {figure['goal']} s) — {figure['note']}")
