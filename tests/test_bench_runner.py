"""benchmarks/run.py: discovers bench modules and rewrites only its own sections of RESULTS.md."""
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def runner(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "benchmarks" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "RESULTS", tmp_path / "RESULTS.md")
    return module


def test_the_runner_finds_the_bench_modules_and_accepts_short_names(runner):
    assert "bench_units" in runner.discover([])
    assert runner.discover(["units"]) == ["bench_units"]
    with pytest.raises(SystemExit):
        runner.discover(["no_such_bench"])


def test_rewriting_a_section_keeps_every_other_section_and_text(runner):
    """Given a file with a hand-written part and another module's section, when one module reruns, only its part changes."""
    rows = [{"name": "import_units --all", "seconds": 1.5, "goal": 60, "note": "a|b"}]
    runner.write_results({"bench_units": runner.section("bench_units", rows, 2.0)})
    runner.RESULTS.write_text(runner.RESULTS.read_text() + "\n## Load test\nhand-written\n", encoding="utf-8")
    runner.write_results({"bench_other": runner.section("bench_other", rows, 1.0)})

    rows[0]["seconds"] = 99.0
    runner.write_results({"bench_units": runner.section("bench_units", rows, 2.0)})
    text = runner.RESULTS.read_text()

    assert text.count("<!-- bench:bench_units -->") == 1 and "| 99.000 | 60 | ✗ |" in text
    assert "hand-written" in text and "<!-- bench:bench_other -->" in text and "| 1.500 | 60 | ✓ |" in text
    assert "a\\|b" in text
