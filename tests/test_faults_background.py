"""Faults of the background work, each with its own services where it stops them: a frozen
broker, PostgreSQL stopped during a full recompute, a worker's main process killed, two beats,
an approval while a full recompute holds the roll-up.

The tests that need a worker use the pytest test database on PostgreSQL (so they commit their
data) or, to stop the database itself, a private PostgreSQL cluster of their own.
"""
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg2
import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from mattran.models import OfficerRole, PendingTask, Unit, UnitKind
from reports.models import ComputationRun, SubmissionStatus
from reports.targets import rollups, runs
from reports.tests.target_factories import festival
from reports.tests.target_worker import CELERY, Worker, worker_database_url
from tests.factories import make_officer, make_tree
from tests.instances import PostgresServer, RedisServer, wait_until

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2019

pytestmark = [
    pytest.mark.postgres, pytest.mark.broker, pytest.mark.slow, pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not RedisServer.available(), reason="needs redis-server to run a private broker"),
]


def _shown_version(district: str = "D1") -> int:
    """The version the district's grid shows the reviewer (review steps carry it)."""
    from reports.models import Submission

    return Submission.objects.get(form__code="ngay_hoi", unit__code=district, period=str(YEAR)).version


def _festival_world(districts=2):
    province = make_tree(districts=districts, communes=1, areas=3)
    staff = make_officer("tinh", province, OfficerRole.PROVINCE_STAFF)
    submissions = {}
    for d in range(1, districts + 1):
        district = Unit.objects.get(code=f"D{d}")
        areas = Unit.objects.filter(district=district, kind=UnitKind.AREA)
        submissions[district.code] = festival(district, YEAR, {a: True for a in areas}, status=SubmissionStatus.SUBMITTED)
    return province, staff, submissions


def test_a_frozen_broker_costs_an_approval_less_than_three_seconds(private_broker, settings):
    """Redis stopped with SIGSTOP (it accepts connections but never answers), as broker and as the
    shared cache (the README's production set-up): the approval is saved and answered within 3 s,
    its work recorded; /healthz answers too."""
    settings.CELERY_BROKER_URL = private_broker.url
    settings.CACHES = {"default": {
        "BACKEND": "mattran.cache.FailFastRedisCache", "LOCATION": private_broker.url.replace("/0", "/2"),
        "OPTIONS": {"socket_timeout": 1.0, "socket_connect_timeout": 1.0},
    }}
    _province, staff, submissions = _festival_world()
    client = Client()
    client.force_login(staff)
    private_broker.freeze()
    try:
        seen = _shown_version()
        started = time.monotonic()
        response = client.post(reverse("reports:approve", args=["ngay_hoi", "D1", str(YEAR)]), {"version": seen})
        elapsed = time.monotonic() - started
        health_started = time.monotonic()
        health = client.get(reverse("healthz"))
        health_elapsed = time.monotonic() - health_started
    finally:
        private_broker.thaw()
    assert response.status_code == 302 and elapsed < 3, elapsed
    submissions["D1"].refresh_from_db()
    assert submissions["D1"].status == SubmissionStatus.APPROVED
    assert set(PendingTask.objects.values_list("task", flat=True)) == {"reports.compute_targets", "emulation.recompute_scores"}
    assert health_elapsed < 3 and health.json()["broker"] == "error", health_elapsed


def test_an_approval_does_not_wait_for_a_full_recompute_replacing_the_roll_up(monkeypatch, private_broker):
    """A full recompute whose roll-up replace holds its rows for 8 s (a national year takes about a
    minute): an approval answers within 2 s and a submission, whose roll-up rows are the ones held,
    within 2.5 s; the year stays dirty for the next run."""
    _province, staff, submissions = _festival_world(districts=3)
    runs.year_recompute(year=YEAR)
    in_replace, release = threading.Event(), threading.Event()
    real_replace = rollups._year_aggregates_replace

    def slow_replace(year, now):
        from django.db import transaction

        with transaction.atomic():
            written = real_replace(year, now)
            in_replace.set()
            release.wait(8)
        return written

    monkeypatch.setattr(rollups, "_year_aggregates_replace", slow_replace)
    errors = []

    def full_run():
        try:
            runs.year_recompute(year=YEAR)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    runner = threading.Thread(target=full_run)
    runner.start()
    try:
        assert in_replace.wait(30), "the full run did not reach its roll-up"
        client = Client()
        client.force_login(staff)
        seen = _shown_version()
        started = time.monotonic()
        response = client.post(reverse("reports:approve", args=["ngay_hoi", "D1", str(YEAR)]), {"version": seen})
        approval_elapsed = time.monotonic() - started
        # D2 goes back to its district and is submitted again: its roll-up rows are the held ones.
        client.post(reverse("reports:return", args=["ngay_hoi", "D2", str(YEAR)]),
                    {"reason": "Kiểm tra lại", "version": _shown_version("D2")})
        officer = make_officer("huyen2", Unit.objects.get(code="D2"))
        client.force_login(officer)
        started = time.monotonic()
        submitted = client.post(reverse("reports:submit", args=["ngay_hoi", "D2", str(YEAR)]))
        submit_elapsed = time.monotonic() - started
    finally:
        release.set()
        runner.join(60)
    assert not errors, errors
    assert response.status_code == 302 and approval_elapsed < 2, approval_elapsed
    assert submitted.status_code == 302 and submit_elapsed < 2.5, submit_elapsed
    submissions["D1"].refresh_from_db()
    submissions["D2"].refresh_from_db()
    assert (submissions["D1"].status, submissions["D2"].status) == (SubmissionStatus.APPROVED, SubmissionStatus.SUBMITTED)
    assert ComputationRun.objects.get(kind="targets", year=YEAR).dirty is True


def _beat(log: Path) -> subprocess.Popen:
    env = {
        **os.environ, "DJANGO_SETTINGS_MODULE": "mattran.settings.test", "DATABASE_URL": worker_database_url(),
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.Popen(
        [CELERY, "-A", "mattran", "beat", "-l", "info", "--pidfile=", "-s", str(log.with_suffix(".db")),
         "--max-interval", "1"],
        cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True,
    )


def _sends(log: Path, name: str) -> int:
    return len(re.findall(rf"Sending due task {re.escape(name)} ", log.read_text(errors="replace")))


def test_two_beats_send_each_scheduled_job_once_and_the_second_takes_over(private_broker, tmp_path):
    """Two hosts each start a beat: only the holder of the scheduler lock sends; when it stops, the
    other takes over."""
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    every = IntervalSchedule.objects.create(every=2, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(name="probe", task="mattran.flush_pending_tasks", interval=every)
    logs = [tmp_path / "beat1.log", tmp_path / "beat2.log"]
    beats = [_beat(logs[0])]
    try:
        wait_until(lambda: _sends(logs[0], "probe") >= 1, timeout=60, what="the first beat to send")
        beats.append(_beat(logs[1]))
        wait_until(lambda: "beat: Starting" in logs[1].read_text(errors="replace"), timeout=60, what="beat 2")
        time.sleep(10)
        first, second = _sends(logs[0], "probe"), _sends(logs[1], "probe")
        assert second == 0 and first >= 4, (first, second)

        os.killpg(beats[0].pid, signal.SIGKILL)  # the sending host goes away
        beats[0].wait(10)
        wait_until(lambda: _sends(logs[1], "probe") >= 2, timeout=40, what="the second beat to take over")
    finally:
        for beat in beats:
            if beat.poll() is None:
                os.killpg(beat.pid, signal.SIGKILL)
                beat.wait(10)


def test_a_worker_whose_main_process_is_killed_has_its_job_redone_within_two_minutes(private_broker, tmp_path):
    """The worker's main process is SIGKILLed mid-run (its child orphaned, the message unacknowledged);
    a worker started afterwards gets the job again within two minutes and finishes the year."""
    _festival_world()
    runs.year_recompute(year=YEAR)
    from reports.tasks import compute_targets

    log = tmp_path / "worker1.log"
    # The production visibility timeout: a message whose worker died is handed out again after 90 s.
    worker = Worker(private_broker.url, log=log, delay=20, concurrency=2, visibility_timeout=90)
    try:
        worker.start()
        wait_until(lambda: "ready." in log.read_text(errors="replace"), timeout=60, what="worker 1")
        compute_targets.delay(YEAR)
        wait_until(lambda: (r := ComputationRun.objects.get(kind="targets", year=YEAR)).status == "STARTED"
                   and r.task_id, timeout=60, what="the run to start")
        os.kill(worker.process.pid, signal.SIGKILL)  # the main process only
        killed_at = time.monotonic()
        second_log = tmp_path / "worker2.log"
        second = Worker(private_broker.url, log=second_log, visibility_timeout=90).start()
        try:
            wait_until(lambda: "reports.compute_targets" in second_log.read_text(errors="replace"), timeout=120,
                       what="the job to be handed out again")
            assert time.monotonic() - killed_at < 120
            wait_until(lambda: ComputationRun.objects.get(kind="targets", year=YEAR).status == "DONE", timeout=120,
                       what="the redone run to finish")
        finally:
            second.kill()
    finally:
        worker.kill()


def _manage(database_url: str, *args: str, timeout: int = 300) -> str:
    env = {
        **os.environ, "DJANGO_SETTINGS_MODULE": "mattran.settings.test", "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": "", "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    return done.stdout


SNAPSHOT = (
    "SELECT t.code, u.code, r.numerator, r.denominator, r.percent, r.achieved, r.not_reported, r.not_approved"
    " FROM reports_targetresult r JOIN programs_target t ON t.id = r.target_id JOIN mattran_unit u ON u.id = r.unit_id"
    " WHERE r.year = %s ORDER BY 1, 2"
)
AGGREGATES = "SELECT count(*), sum(value) FROM reports_indicatoraggregate WHERE year = %s"


def _rows(port: int, database: str, sql: str):
    with psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname=database) as conn, conn.cursor() as cur:
        cur.execute(sql, [YEAR])
        return cur.fetchall()


def _run_state(port: int, database: str):
    try:
        rows = _rows(port, database, "SELECT status, progress, dirty FROM reports_computationrun"
                                      " WHERE kind = 'targets' AND year = %s")
    except psycopg2.Error:
        return None
    return rows[0] if rows else None


@pytest.mark.skipif(not PostgresServer.available(), reason="needs the PostgreSQL server binaries (initdb, pg_ctl)")
def test_postgresql_stopped_for_30_seconds_during_a_full_recompute_the_year_is_redone_by_itself(
    private_broker, tmp_path,
):
    """The demo's 2019 on a private PostgreSQL; a worker's full recompute loses its database for 30 s.
    The task retries with a backoff, the year is recomputed by itself and equals a clean run."""
    server = PostgresServer().start()
    try:
        url = server.create_database("faults")
        _manage(url, "migrate", "--noinput", "-v", "0")
        _manage(url, "import_units", "--province", "20")
        _manage(url, "seed_demo", "--years", "2019", "--no-recompute")
        log = tmp_path / "worker.log"
        worker = Worker(private_broker.url, log=log, delay=3, database_url=url, visibility_timeout=90).start()
        try:
            wait_until(lambda: "ready." in log.read_text(errors="replace"), timeout=60, what="the worker")
            from reports.tasks import compute_targets

            compute_targets.delay(YEAR)
            wait_until(lambda: (s := _run_state(server.port, "faults")) and s[0] == "STARTED" and s[1] >= 1,
                       timeout=60, what="the run to write its first target")
            server.stop()
            time.sleep(30)
            server.start()
            wait_until(lambda: (s := _run_state(server.port, "faults")) and s[0] == "DONE" and not s[2],
                       timeout=240, what="the year to be recomputed by itself", interval=2)
            assert "Retry in" in log.read_text(errors="replace")
        finally:
            worker.kill()
        recomputed = (_rows(server.port, "faults", SNAPSHOT), _rows(server.port, "faults", AGGREGATES))
        _manage(url, "shell", "-c", "from reports.models import TargetResult, IndicatorAggregate;"
                                    f"TargetResult.objects.filter(year={YEAR}).delete();"
                                    f"IndicatorAggregate.objects.filter(year={YEAR}).delete()")
        _manage(url, "compute_targets", "--year", str(YEAR))
        clean = (_rows(server.port, "faults", SNAPSHOT), _rows(server.port, "faults", AGGREGATES))
        assert len(recomputed[0]) > 200
        assert recomputed == clean
    finally:
        server.destroy()


def test_a_mail_server_that_fails_is_retried_by_the_worker_and_the_mail_logged(private_broker, tmp_path):
    """The worker's mail server refuses the first attempt; the task logs it and sends on its retry."""
    from mattran.tasks import send_mail

    log = tmp_path / "worker.log"
    worker = Worker(private_broker.url, log=log, env={"DJANGO_EMAIL_BACKEND": "mattran.tests.mail_backends.FlakyBackend"})
    worker.start()
    try:
        wait_until(lambda: "ready." in log.read_text(errors="replace"), timeout=60, what="the worker")
        send_mail.delay("[MTTQ] Thử", "Xem: https://mttq.example/bao-cao/", ["tinh@example.org"])
        wait_until(lambda: "succeeded" in log.read_text(errors="replace"), timeout=120, what="the retried mail")
        text = log.read_text(errors="replace")
        assert "failed (attempt 1); retried later" in text and "Retry in 30s" in text
        assert "sent to tinh@example.org" in text
    finally:
        worker.kill()
