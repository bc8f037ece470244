"""The dashboard's data version (reports/cache.py): what changes it and what does not."""
import pytest
from django.db import transaction

from reports import cache as dashboard_cache
from reports.models import Submission
from reports.periods import Period
from reports.submissions import services
from reports.tests.factories import cells, make_world

pytestmark = pytest.mark.django_db


def _draft(form, unit, period, by):
    return services.submission_get_or_create(form=form, unit=unit, period=Period.parse(period), by=by)


def test_a_saved_plan_changes_the_data_version_but_a_draft_grid_save_does_not():
    """Plans are read by the dashboard directly (saved with plain SQL, no model signal): saving one
    bumps the version; saving a draft's values does not (they count only once submitted)."""
    w = make_world(communes=1, areas_per_commune=1)
    plan = _draft(w.plan, w.province, "2019", w.staff)
    monthly = _draft(w.monthly, w.district, "2019-03", w.officer)
    before = dashboard_cache.cache_token()
    result = services.values_save(submission=monthly, values=cells(w, {(w.communes[0], "hoa_giai_vu"): "3"}),
                                  by=w.officer, expected_version=monthly.version)
    assert result.saved and dashboard_cache.cache_token() == before
    result = services.values_save(submission=plan, values=cells(w, {(w.district, "ke_hoach_quy"): "1500"}),
                                  by=w.staff, expected_version=plan.version)
    assert result.saved and dashboard_cache.cache_token() != before


def test_the_version_is_bumped_again_after_commit_once_per_transaction(django_capture_on_commit_callbacks):
    """Inside a transaction every bump changes the token at once, and one more bump waits for the commit."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        first = dashboard_cache.cache_token()
        dashboard_cache.bump_data_version()
        second = dashboard_cache.cache_token()
        dashboard_cache.bump_data_version()
    assert first != second != dashboard_cache.cache_token()
    assert [c for c in callbacks if c is dashboard_cache._bump_now] == [dashboard_cache._bump_now]


def test_a_lost_token_is_replaced_by_a_new_one_never_an_old_one():
    from django.core.cache import cache

    token = dashboard_cache.cache_token()
    cache.delete(dashboard_cache.VERSION_KEY)
    assert dashboard_cache.cache_token() not in (None, token)


def test_a_status_change_bumps_but_a_version_only_save_does_not():
    """Completeness counts move with a submission's status, not with each grid save's version."""
    w = make_world(communes=1, areas_per_commune=1)
    submission = _draft(w.monthly, w.district, "2019-03", w.officer)
    before = dashboard_cache.cache_token()
    Submission.objects.get(pk=submission.pk).save(update_fields=["version"])
    assert dashboard_cache.cache_token() == before
    submission.status = "SUBMITTED"
    submission.save(update_fields=["status"])
    assert dashboard_cache.cache_token() != before
