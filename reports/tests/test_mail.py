"""Workflow e-mail: sent by the mail task with an absolute link, retried and logged when the mail
server fails, never an error for the officer whose save sent it."""
import logging

import pytest
from django.core import mail
from django.urls import reverse

from mattran.tests.mail_backends import FlakyBackend
from reports.models import Submission, SubmissionStatus
from reports.tests.factories import make_world, monthly_draft_filled

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings):
    settings.PORTAL_BASE_URL = "https://mttq.langson.example"
    world = make_world()
    world.staff.email = "tinh@example.org"
    world.staff.save()
    world.submission = monthly_draft_filled(world)
    return world


def submit(client, world, capture):
    client.force_login(world.officer)
    with capture(execute=True):
        return client.post(reverse("reports:submit", args=[world.monthly.code, world.district.code, "2019-05"]))


def test_the_reviewers_email_carries_an_absolute_link(client, world, django_capture_on_commit_callbacks):
    response = submit(client, world, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["tinh@example.org"]
    assert f"https://mttq.langson.example/bao-cao/{world.monthly.code}/{world.district.code}/2019-05/" in message.body


def test_a_failing_mail_server_is_logged_and_the_task_asks_for_a_retry(
    client, world, settings, caplog, django_capture_on_commit_callbacks,
):
    """In-process the retry is not waited for (a worker retries it: tests/test_faults_background.py)."""
    settings.EMAIL_BACKEND = "mattran.tests.mail_backends.FlakyBackend"
    FlakyBackend.attempts, FlakyBackend.failures = 0, 1
    with caplog.at_level(logging.INFO, logger="mattran.tasks"):
        response = submit(client, world, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert FlakyBackend.attempts == 1 and not mail.outbox
    assert "failed (attempt 1); retried later" in caplog.text and "Retry in 30s" in caplog.text


def test_a_mail_server_that_stays_down_never_fails_the_officers_submit(
    client, world, settings, caplog, django_capture_on_commit_callbacks,
):
    settings.EMAIL_BACKEND = "mattran.tests.mail_backends.DownBackend"
    response = submit(client, world, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert Submission.objects.get(pk=world.submission.pk).status == SubmissionStatus.SUBMITTED
    assert "mail server down" in caplog.text and not mail.outbox
