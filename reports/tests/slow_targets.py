"""Imported by a test worker that sets TARGETS_TEST_DELAY_SECONDS (``CELERY_IMPORTS`` in the test
settings): a whole-year run pauses before each target, so a test can kill the worker midway.

The pause comes before the run record's row lock, so a submission's incremental run never waits on it.
"""
import time

from django.conf import settings

from reports.targets import runs

_locked_run = runs.locked_run


def _paused_locked_run(year: int):
    time.sleep(settings.TARGETS_TEST_DELAY_SECONDS)
    return _locked_run(year)


runs.locked_run = _paused_locked_run
