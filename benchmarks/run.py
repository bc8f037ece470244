#!/usr/bin/env python
"""Run the benchmarks and record their figures in benchmarks/RESULTS.md (``make bench``).

Every ``benchmarks/bench_*.py`` module exposes ``run() -> list[dict]`` where each dict has
``name``, ``seconds`` (None if it could not run), ``goal`` (seconds, or None) and ``note``.
Each module runs in its own Python process, so each sets up Django on its own throwaway
database. ``python benchmarks/run.py units import`` runs only ``bench_units`` and ``bench_import``.

RESULTS.md keeps one section per module between ``<!-- bench:NAME -->`` and
``<!-- /bench:NAME -->``; only the sections of the modules that ran are rewritten, and
anything else in the file is kept.
"""
from __future__ import annotations

import datetime
import importlib
import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "RESULTS.md"
MARK = "@@BENCH-RESULTS@@"
HEADER = (
    "# Benchmarks\n\n"
    "Written by `make bench` (`benchmarks/run.py`); each section is rewritten when its module runs.\n"
    "Goals are for this machine; ✓ means the figure met its goal.\n"
)


def discover(selected: list[str]) -> list[str]:
    names = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if not selected:
        return names
    wanted = {s if s.startswith("bench_") else f"bench_{s}" for s in selected}
    unknown = wanted - set(names)
    if unknown:
        sys.exit(f"Không có benchmark: {', '.join(sorted(unknown))}. Có: {', '.join(names)}")
    return [n for n in names if n in wanted]


def run_child(name: str) -> None:
    """In the child process: import the module, run it, print its figures after a marker."""
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(HERE))
    os.chdir(ROOT)
    module = importlib.import_module(name)
    results = module.run()
    print(MARK + json.dumps(results, default=str))


def run_module(name: str) -> tuple[list[dict], float]:
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", name],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    elapsed = time.perf_counter() - started
    lines = [line for line in proc.stdout.splitlines() if line.startswith(MARK)]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        return [{"name": name, "seconds": None, "goal": None, "note": f"ERROR: {tail[0][:200]}", "error": True}], elapsed
    return json.loads(lines[-1][len(MARK):]), elapsed


def verdict(row: dict) -> str:
    if row.get("error"):
        return "✗ lỗi"
    if row.get("seconds") is None:
        return "—"
    if row.get("goal") is None:
        return ""
    return "✓" if row["seconds"] <= row["goal"] else "✗"


def section(name: str, rows: list[dict], elapsed: float) -> str:
    db = os.environ.get("DATABASE_URL", "").split(":", 1)[0] or "sqlite"
    stamp = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    lines = [
        f"<!-- bench:{name} -->",
        f"## {name}",
        "",
        f"Run {stamp} · Python {platform.python_version()} · {db} · {os.cpu_count()} CPU · module took {elapsed:.1f} s",
        "",
        "| Benchmark | Seconds | Goal | | Note |",
        "|---|---:|---:|:-:|---|",
    ]
    for row in rows:
        seconds = "" if row.get("seconds") is None else f"{row['seconds']:.3f}"
        goal = "" if row.get("goal") is None else f"{row['goal']:g}"
        note = str(row.get("note") or "").replace("|", "\\|").replace("\n", " ")
        lines.append(f"| {row.get('name', name)} | {seconds} | {goal} | {verdict(row)} | {note} |")
    lines.append(f"<!-- /bench:{name} -->")
    return "\n".join(lines)


def write_results(sections: dict[str, str]) -> None:
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else HEADER
    for name, body in sections.items():
        pattern = re.compile(rf"<!-- bench:{re.escape(name)} -->.*?<!-- /bench:{re.escape(name)} -->", re.S)
        if pattern.search(text):
            text = pattern.sub(lambda _m, body=body: body, text)
        else:
            text = text.rstrip("\n") + "\n\n" + body + "\n"
    RESULTS.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        run_child(argv[1])
        return 0
    failed = False
    sections = {}
    for name in discover(argv):
        print(f"== {name}", flush=True)
        rows, elapsed = run_module(name)
        for row in rows:
            seconds = "—" if row.get("seconds") is None else f"{row['seconds']:.3f} s"
            print(f"   {row.get('name')}: {seconds} {verdict(row)} {row.get('note') or ''}", flush=True)
            failed = failed or bool(row.get("error"))
        sections[name] = section(name, rows, elapsed)
    write_results(sections)
    print(f"Đã ghi {RESULTS.relative_to(ROOT)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
