"""Every place that queues background work, with the broker unreachable: the write saves, the
page answers success with a notice, the work is recorded; once the broker is back, the beat job
queues it and a real worker runs it exactly once.

Our own redis-server on its own port is the broker (stopped during the write); the worker uses
the pytest test database on PostgreSQL, so these tests commit their data.
"""
import datetime
import re
import time

import pytest
from django.urls import reverse

from mattran.models import OfficerRole, PendingTask, Unit, UnitKind
from mattran.tasks import flush_pending_tasks
from reports.tests.target_worker import Worker
from tests.factories import make_officer, make_tree
from tests.instances import RedisServer, wait_until

pytestmark = [
    pytest.mark.broker, pytest.mark.postgres, pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not RedisServer.available(), reason="needs redis-server to run a private broker"),
]
NOTICE = "Số liệu tổng hợp sẽ được cập nhật sau"


@pytest.fixture
def broker(private_broker):
    """The test's own Redis, stopped until the test brings it back."""
    private_broker.stop()
    return private_broker


def succeeded(log, name: str) -> int:
    return len(re.findall(rf"Task {re.escape(name)}\[[^\]]+\] succeeded", log.read_text(errors="replace")))


def back_and_run_once(broker, tmp_path, *names: str) -> None:
    """Bring the broker back, start a worker, run the beat's flush job; each recorded call of the
    tasks ``names`` runs exactly once."""
    expected = {name: PendingTask.objects.filter(task=name).count() for name in names}
    assert all(expected.values()), expected
    broker.start()
    log = tmp_path / "worker.log"
    worker = Worker(broker.url, log=log).start()
    try:
        wait_until(lambda: "ready." in log.read_text(errors="replace"), timeout=60, what="the worker to start")
        flush_pending_tasks.delay()
        for name in names:
            wait_until(lambda name=name: succeeded(log, name) >= expected[name], timeout=90, what=f"{name} to run")
        wait_until(lambda: not PendingTask.objects.exists(), timeout=10, what="the pending rows to go")
        time.sleep(3)  # anything queued twice would have run by now
        for name in names:
            assert succeeded(log, name) == expected[name], (name, log.read_text(errors="replace")[-3000:])
    finally:
        worker.kill()


def assert_saved_with_notice(client, response, *tasks: str) -> None:
    assert response.status_code == 302, response.content.decode()[:1000]
    page = client.get(response["Location"]).content.decode()
    assert NOTICE in page
    assert sorted(PendingTask.objects.values_list("task", flat=True)) == sorted(tasks)


def test_an_approval_saves_and_its_recompute_runs_once_when_the_broker_is_back(client, broker, tmp_path):
    from reports.models import Submission, SubmissionStatus, TargetResult
    from reports.tests.target_factories import festival

    province = make_tree(districts=1, communes=1, areas=3)
    district = Unit.objects.get(code="D1")
    areas = Unit.objects.filter(kind=UnitKind.AREA)
    submission = festival(district, 2019, {a: True for a in areas}, status=SubmissionStatus.SUBMITTED)
    client.force_login(make_officer("tinh", province, OfficerRole.PROVINCE_STAFF))

    response = client.post(reverse("reports:approve", args=["ngay_hoi", "D1", "2019"]), {"version": submission.version})

    assert Submission.objects.get(pk=submission.pk).status == SubmissionStatus.APPROVED
    assert_saved_with_notice(client, response, "reports.compute_targets", "emulation.recompute_scores")
    back_and_run_once(broker, tmp_path, "reports.compute_targets", "emulation.recompute_scores")
    assert TargetResult.objects.get(target__code="ngay_hoi_kdc", unit=province, year=2019).numerator == 3


def test_a_self_score_saves_and_the_scores_run_once_when_the_broker_is_back(client, broker, tmp_path):
    from emulation import services
    from emulation.models import Score, ScoreSheet
    from emulation.tests import factories as f

    world = f.tree(districts=1, communes=1, areas=1)
    district = world["districts"][0]
    sheet = services.sheet_get_or_create(guide=f.guide(2031), unit=district)
    score = Score.objects.get(sheet=sheet, criterion__code="A")
    client.force_login(f.officer(district))

    response = client.post(
        reverse("emulation:score_self", args=[2031, district.pk, score.pk]), {"points": "12", "version": 1},
    )

    assert Score.objects.get(pk=score.pk).self_points == 12
    assert_saved_with_notice(client, response, "emulation.recompute_scores")
    back_and_run_once(broker, tmp_path, "emulation.recompute_scores")
    assert ScoreSheet.objects.get(pk=sheet.pk).computed_at is not None


def test_a_register_entry_saves_and_its_counts_run_once_when_the_broker_is_back(client, broker, tmp_path):
    from registers.registry import REGISTERS
    from registers.tests.factories import form_data
    from registers.tests.factories import make_officer as register_officer
    from registers.tests.factories import make_tree as register_tree

    slug = "ho-ngheo-nhan-do-dau"  # adopted households: counted into a yearly indicator
    tree = register_tree()
    client.force_login(register_officer("huyen1", tree.district1))

    response = client.post(reverse("registers:create", args=[slug]), form_data(slug, tree))

    assert REGISTERS[slug].model.objects.count() == 1
    assert_saved_with_notice(client, response, "registers.recompute_counts")
    back_and_run_once(broker, tmp_path, "registers.recompute_counts")


def test_a_province_export_is_recorded_and_runs_once_when_the_broker_is_back(client, broker, tmp_path):
    from reports.exports.models import ExportJob, ExportStatus
    from reports.tests.dash_factories import put_value, world

    w = world()
    put_value("quy_vnn_thu", w["province"], "2019-H1", 1234567)
    client.force_login(w["staff"])

    response = client.post(reverse("dashboard:export"), {"period": "2019-H1", "format": "xlsx"})

    job = ExportJob.objects.get()
    assert job.status == ExportStatus.PENDING
    assert_saved_with_notice(client, response, "reports.run_export")
    back_and_run_once(broker, tmp_path, "reports.run_export")
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE


def test_a_workflow_email_is_recorded_and_sent_once_when_the_broker_is_back(client, broker, tmp_path):
    from reports.models import Submission, SubmissionStatus
    from reports.tests.factories import make_world, monthly_draft_filled

    world = make_world()
    world.staff.email = "tinh@example.org"
    world.staff.save()
    submission = monthly_draft_filled(world)
    client.force_login(world.officer)

    response = client.post(reverse("reports:submit", args=[world.monthly.code, world.district.code, "2019-05"]))

    assert Submission.objects.get(pk=submission.pk).status == SubmissionStatus.SUBMITTED
    pending = PendingTask.objects.filter(task="mattran.send_mail").get()
    assert pending.args[2] == ["tinh@example.org"] and "http" in pending.args[1]
    assert response.status_code == 302
    back_and_run_once(broker, tmp_path, "mattran.send_mail")


def test_a_reminder_is_recorded_and_sent_once_when_the_broker_is_back(broker, tmp_path):
    """The reminders job runs in the worker; if the broker is away when it queues the e-mail, the
    reminder is kept and sent once the broker is back."""
    from reports.submissions.models import ReminderLog
    from reports.submissions.reminders import reminders_due, reminders_send
    from reports.tests.factories import make_world

    world = make_world()
    world.officer.email = "huyen1@example.org"
    world.officer.save()
    day = next(
        datetime.date(2019, 6, 1) + datetime.timedelta(days=n) for n in range(60)
        if reminders_due(datetime.date(2019, 6, 1) + datetime.timedelta(days=n))
    )

    assert reminders_send(today=day) >= 1

    assert ReminderLog.objects.exists()
    assert PendingTask.objects.filter(task="mattran.send_mail").exists()
    back_and_run_once(broker, tmp_path, "mattran.send_mail")
