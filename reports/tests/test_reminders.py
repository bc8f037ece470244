"""Deadline reminders reach only units that have not submitted, once per (unit, form, period, kind)."""
import datetime

import pytest
import time_machine
from django.conf import settings
from django.core import mail

from mattran.models import OfficerRole, UnitKind
from reports.models import ReportForm, Submission, SubmissionStatus
from reports.submissions.models import ReminderKind, ReminderLog
from reports.submissions.reminders import reminders_send, weekly_summary_send
from reports.tests.dash_factories import world
from tests.factories import make_officer

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    """Two districts; only the test's monthly form (deadline: 5 days after the month) is in force."""
    ReportForm.objects.all().delete()
    w = world()
    w["form"] = ReportForm.objects.create(
        code="thang", name="Báo cáo tháng", period_type="MONTHLY", row_kind=UnitKind.COMMUNE,
        submitter_kind=UnitKind.DISTRICT, deadline_days=5, first_year=2019,
    )
    for user, email in ((w["officer1"], "huyen1@example.vn"), (w["officer2"], "huyen2@example.vn"),
                        (w["staff"], "tinh@example.vn")):
        user.email = email
        user.save()
    make_officer("huyen2b", w["d2"])  # no e-mail address: nobody to write to, nothing fails
    Submission.objects.create(form=w["form"], unit=w["d1"], period="2019-11", year=2019, status=SubmissionStatus.SUBMITTED)
    return w


def run(day, capture):
    with time_machine.travel(datetime.datetime(*day, 8, 0), tick=False), capture(execute=True):
        return reminders_send()


def recipients():
    return [m.to for m in mail.outbox]


def test_three_days_before_the_deadline_only_the_unit_that_has_not_submitted_is_reminded(w, django_capture_on_commit_callbacks):
    """Given November's deadline is 5/12 and Huyện 1 has submitted, on 2/12 only Huyện 2 gets a reminder."""
    assert run((2019, 12, 2), django_capture_on_commit_callbacks) == 1
    assert recipients() == [["huyen2@example.vn"]]
    message = mail.outbox[0]
    assert "Báo cáo tháng" in message.subject and "Tháng 11/2019" in message.subject
    assert "05/12/2019" in message.body and "Huyện 2" in message.body
    assert ReminderLog.objects.get().kind == ReminderKind.BEFORE_3


def test_running_twice_or_later_in_the_same_window_sends_nothing_more(w, django_capture_on_commit_callbacks):
    run((2019, 12, 2), django_capture_on_commit_callbacks)
    assert run((2019, 12, 2), django_capture_on_commit_callbacks) == 0
    assert run((2019, 12, 4), django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 1


def test_one_day_and_seven_days_after_the_deadline_each_send_one_more_reminder(w, django_capture_on_commit_callbacks):
    run((2019, 12, 2), django_capture_on_commit_callbacks)
    assert run((2019, 12, 5), django_capture_on_commit_callbacks) == 0  # deadline day: no window
    assert run((2019, 12, 6), django_capture_on_commit_callbacks) == 1
    assert run((2019, 12, 8), django_capture_on_commit_callbacks) == 0
    assert run((2019, 12, 12), django_capture_on_commit_callbacks) == 1
    assert run((2019, 12, 13), django_capture_on_commit_callbacks) == 0
    assert sorted(ReminderLog.objects.values_list("kind", flat=True)) == sorted(
        [ReminderKind.BEFORE_3, ReminderKind.AFTER_1, ReminderKind.AFTER_7]
    )
    assert all(to == ["huyen2@example.vn"] for to in recipients())


def test_a_missed_morning_is_caught_up_inside_the_window(w, django_capture_on_commit_callbacks):
    assert run((2019, 12, 9), django_capture_on_commit_callbacks) == 1
    assert ReminderLog.objects.get().kind == ReminderKind.AFTER_1


def test_a_draft_or_returned_report_does_not_count_as_submitted_but_an_approved_one_does(w, django_capture_on_commit_callbacks):
    Submission.objects.create(form=w["form"], unit=w["d2"], period="2019-11", year=2019, status=SubmissionStatus.RETURNED)
    assert run((2019, 12, 6), django_capture_on_commit_callbacks) == 1
    Submission.objects.filter(unit=w["d2"]).update(status=SubmissionStatus.APPROVED)
    assert run((2019, 12, 12), django_capture_on_commit_callbacks) == 0


def test_weekly_summary_goes_to_provincial_staff_once_a_week(w, django_capture_on_commit_callbacks):
    """Given Huyện 2 is overdue for November, Monday's summary to the province names it, once."""
    def summary(day):
        with time_machine.travel(datetime.datetime(*day, 8, 0), tick=False), \
                django_capture_on_commit_callbacks(execute=True):
            return weekly_summary_send()

    assert summary((2019, 12, 9)) == 1
    assert summary((2019, 12, 9)) == 0
    assert summary((2019, 12, 11)) == 0  # same ISO week
    message = mail.outbox[0]
    assert message.to == ["tinh@example.vn"]
    november = next(line for line in message.body.splitlines() if "Tháng 11/2019" in line)
    assert november.endswith("1 đơn vị chưa gửi: Huyện 2")
    assert "Tháng 10/2019 (hạn 05/11/2019): 2 đơn vị chưa gửi: Huyện 1, Huyện 2" in message.body
    assert "2019-W50" in message.subject
    assert summary((2019, 12, 16)) == 1


def test_district_officers_never_receive_the_provincial_summary(w, django_capture_on_commit_callbacks):
    make_officer("tinh2", w["province"], OfficerRole.DISTRICT_OFFICER)
    with time_machine.travel(datetime.datetime(2019, 12, 9, 8), tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        weekly_summary_send()
    assert recipients() == [["tinh@example.vn"]]


def test_beat_runs_the_reminders_and_the_summary_and_celery_knows_the_tasks():
    import reports.tasks  # noqa: F401
    from mattran.celery import app

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"reports.send_deadline_reminders", "reports.send_weekly_summary"} <= tasks
    assert {"reports.send_deadline_reminders", "reports.send_weekly_summary", "reports.run_export"} <= set(app.tasks)
