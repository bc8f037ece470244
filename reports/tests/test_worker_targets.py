"""A real Celery worker against Redis: killed mid-run, broker down, two runs at once.

These run on PostgreSQL with a broker (CELERY_BROKER_URL); elsewhere they skip with the reason.
The worker uses the pytest test database, so the tests commit their data (transactional_db).
"""
import os
import socket

import pytest

from mattran.models import OfficerRole, Unit, UnitKind
from reports.models import ComputationRun, RunStatus, Submission, SubmissionStatus, TargetResult
from reports.submissions import services
from reports.targets import runs
from reports.tasks import compute_targets, recompute_dirty_years
from reports.tests.target_factories import festival, ratings
from reports.tests.target_worker import RedisServer, Worker, broker_on_port, wait_until
from tests.factories import make_officer, make_tree

# The catalogue the migrations loaded is reloaded for every transactional test (conftest.py).
pytestmark = [
    pytest.mark.broker, pytest.mark.postgres, pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]
YEAR = 2019


def snapshot():
    return sorted(TargetResult.objects.values_list(
        "target__code", "unit__code", "year", "numerator", "denominator", "percent", "achieved", "due",
        "not_reported", "not_approved",
    ))


@pytest.fixture
def data():
    """A small province with values for the three targets; returns the rows a clean run writes."""
    province = make_tree(districts=2, communes=2, areas=3)
    d1 = Unit.objects.get(code="D1")
    festival(d1, YEAR, {a: True for a in Unit.objects.filter(district=d1, kind=UnitKind.AREA)})
    ratings("xep_loai_bctmt", "xep_loai_bctmt", d1, YEAR, {a: "kha" for a in Unit.objects.filter(kind=UnitKind.AREA)[:5]})
    ratings("xep_loai_mttq_xa", "xep_loai_mttq", d1, YEAR, {Unit.objects.get(code="D1C1"): "vung_manh"})
    runs.year_recompute(year=YEAR)
    clean = snapshot()
    TargetResult.objects.all().delete()
    ComputationRun.objects.all().delete()
    return {"province": province, "clean": clean}


@pytest.fixture
def workers(tmp_path):
    started = []

    def start(broker_url, **kwargs):
        worker = Worker(broker_url, log=tmp_path / f"worker{len(started)}.log", **kwargs).start()
        started.append(worker)
        wait_until(lambda: "ready." in worker.log.read_text(errors="replace"), timeout=60, what="the worker to start")
        return worker

    yield start
    for worker in started:
        worker.kill()


def run_row():
    return ComputationRun.objects.filter(kind="targets", year=YEAR).first()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_worker_killed_mid_run_is_redone_with_exactly_the_rows_of_a_clean_run(data, publish_to, workers):
    """Given a slow run killed (SIGKILL) after its first target, a restarted worker gets the message
    again (late acknowledgement), sees the STARTED record and redoes the year: identical rows."""
    broker = os.environ["CELERY_BROKER_URL"]
    publish_to(broker)
    worker = workers(broker, delay=3)
    compute_targets.delay(YEAR)
    wait_until(lambda: (r := run_row()) and r.status == RunStatus.STARTED and r.progress >= 1, timeout=60,
               what="the first target to be written")
    worker.kill()
    killed = run_row()
    assert killed.status == RunStatus.STARTED and killed.progress < killed.total
    assert 0 < TargetResult.objects.count() < len(data["clean"])

    workers(broker)
    wait_until(lambda: run_row().status == RunStatus.DONE, timeout=90, what="the redelivered run to finish")
    assert snapshot() == data["clean"]
    assert run_row().attempts == 0


def test_two_runs_at_once_leave_one_set_of_rows(data, publish_to, workers):
    """Two compute tasks for the same year on two worker processes: the year lock serialises them,
    the upserts leave one row per (target, unit, year), the same rows as a clean run."""
    broker = os.environ["CELERY_BROKER_URL"]
    publish_to(broker)
    worker = workers(broker, delay=0.5, concurrency=2)
    compute_targets.delay(YEAR)
    compute_targets.delay(YEAR)
    wait_until(lambda: worker.log.read_text(errors="replace").count("succeeded") >= 2, timeout=90,
               what="both runs to finish")
    # With the short test visibility timeout Redis may hand a message out once more: wait for quiet.
    wait_until(lambda: run_row().status == RunStatus.DONE, timeout=60, what="the last run to finish")
    assert snapshot() == data["clean"]
    assert TargetResult.objects.count() == len({(t, u, y) for t, u, y, *_ in data["clean"]})


@pytest.mark.skipif(not RedisServer.available(), reason="needs redis-server to run a private broker")
def test_with_the_broker_down_approvals_save_and_the_dirty_year_is_recomputed_later(data, publish_to, workers, tmp_path):
    """Given our own redis-server stopped, an approval still saves and leaves the year dirty; once
    Redis is back, the beat's dirty-years job has the worker recompute the year."""
    redis = RedisServer(free_port(), tmp_path / "redis.log").start()
    try:
        broker = broker_on_port(redis.port)
        publish_to(broker)
        workers(broker)
        staff = make_officer("tinh", data["province"], OfficerRole.PROVINCE_STAFF)
        d2 = Unit.objects.get(code="D2")
        submission = festival(d2, YEAR, {a: True for a in Unit.objects.filter(district=d2, kind=UnitKind.AREA)},
                              status=SubmissionStatus.SUBMITTED)
        redis.stop()

        services.submission_approve(submission=submission, by=staff)

        assert Submission.objects.get(pk=submission.pk).status == SubmissionStatus.APPROVED
        run = run_row()
        assert run.dirty is True and run.last_enqueued_at is None
        assert TargetResult.objects.get(target__code="ngay_hoi_kdc", unit__code="20").numerator == 12

        redis.start()
        recompute_dirty_years.delay()
        wait_until(lambda: (r := run_row()).dirty is False and r.status == RunStatus.DONE, timeout=90,
                   what="the dirty year to be recomputed")
        assert TargetResult.objects.get(target__code="ngay_hoi_kdc", unit__code="20").achieved is True
    finally:
        redis.stop()
