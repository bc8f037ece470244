"""The Celery tasks of reports, gathered here for Celery's autodiscovery (each part defines its own)."""
from reports.exports.tasks import run_export
from reports.submissions.tasks import send_deadline_reminders, send_weekly_summary
from reports.targets.tasks import compute_current_year, compute_targets, recompute_dirty_years

__all__ = [
    "compute_current_year", "compute_targets", "recompute_dirty_years", "run_export",
    "send_deadline_reminders", "send_weekly_summary",
]
