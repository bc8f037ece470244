"""Signals of the reports app, for the apps above it (emulation follows the targets)."""
from django.dispatch import Signal

# Sent when target results of ``year`` were written: by the incremental recompute of a submission
# (inside its transaction) and by a full run of the year. Receivers act after commit.
target_results_changed = Signal()
