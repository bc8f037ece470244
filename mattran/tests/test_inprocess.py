"""The demo server (make run) has no broker: its own thread runs the queued work and the beat's
interval jobs, so a dirty year clears by itself."""
import pytest
from django.test import Client
from django.urls import reverse

from mattran import inprocess
from mattran.models import OfficerRole, Unit, UnitKind
from reports.models import ComputationRun, SubmissionStatus
from reports.targets import runs
from reports.tests.target_factories import festival
from tests.factories import make_officer, make_tree
from tests.instances import wait_until

# On PostgreSQL: the in-memory SQLite of the test run locks whole tables across threads, which a
# file database (make run's db.sqlite3) does not; the demo itself was checked by hand on one.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.postgres]


@pytest.fixture
def thread(monkeypatch):
    monkeypatch.setattr(inprocess, "DEMO_BEAT_SECONDS", 1.0)
    inprocess.start()
    yield
    inprocess.stop()


def test_an_approval_answers_and_the_year_and_an_admin_dirty_year_clear_by_themselves(thread):
    province = make_tree(districts=1, communes=1, areas=3)
    district = Unit.objects.get(code="D1")
    festival(district, 2019, {a: True for a in Unit.objects.filter(kind=UnitKind.AREA)}, status=SubmissionStatus.SUBMITTED)
    runs.year_recompute(year=2019)
    client = Client()
    client.force_login(make_officer("tinh", province, OfficerRole.PROVINCE_STAFF))

    response = client.post(reverse("reports:approve", args=["ngay_hoi", "D1", "2019"]))

    assert response.status_code == 302
    wait_until(lambda: not ComputationRun.objects.filter(year=2019, dirty=True).exists(), timeout=60,
               what="the approval's year to be recomputed by the thread")
    assert ComputationRun.objects.filter(kind="emulation", year=2019, status="DONE").exists()

    runs.years_mark_dirty([2019])  # as an admin edit of a target does
    wait_until(lambda: not ComputationRun.objects.filter(year=2019, dirty=True).exists(), timeout=60,
               what="the dirty year to be picked up by the thread's beat")
