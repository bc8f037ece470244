"""Targets: results computed set-based from counted values, incrementally and by whole years.

``scope`` (which units a run covers) → ``sql`` (target results) and ``rollups`` (indicator
roll-ups) → ``incremental`` (a submission's change, inside its transaction) and ``runs`` (whole
years, run records, dirty years); ``signals`` marks years dirty on edits; ``selectors`` reads the
results. The rules themselves (condition, percentage, threshold) are ``programs.target_rules``.
"""
