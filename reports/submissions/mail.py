"""The e-mails of the workflow: who hears of a step, queued after the commit."""
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from mattran.models import Officer, OfficerRole, UnitKind
from mattran.queue import enqueue
from mattran.tasks import send_mail
from reports.models import Submission
from reports.periods import Period


def _emails(officers) -> list[str]:
    return sorted({email for email in officers.values_list("user__email", flat=True) if email})


def reviewer_emails(submission: Submission) -> list[str]:
    return _emails(Officer.objects.filter(role=OfficerRole.PROVINCE_STAFF, unit_id=submission.unit.province_id))


def submitter_emails(submission: Submission) -> list[str]:
    role = OfficerRole.PROVINCE_STAFF if submission.unit.kind == UnitKind.PROVINCE else OfficerRole.DISTRICT_OFFICER
    emails = set(_emails(Officer.objects.filter(role=role, unit_id=submission.unit_id)))
    if submission.submitted_by_id and submission.submitted_by.email:
        emails.add(submission.submitted_by.email)
    return sorted(emails)


def mail_after_commit(submission: Submission, recipients: list[str], subject: str, body: str, by, reason: str = ""):
    """Queue one e-mail per recipient after the commit (nothing is sent for a rolled-back step); the
    mail task sends it outside the request, logs it and retries a failing mail server."""
    if not recipients:
        return
    context = {
        "form": submission.form.name,
        "unit": submission.unit.name,
        "period": Period.parse(submission.period).label(),
        "by": by.get_full_name() or by.get_username(),
        "when": timezone.localtime().strftime("%H:%M %d/%m/%Y"),
        "reason": reason,
        "url": settings.PORTAL_BASE_URL
        + reverse("reports:grid", args=[submission.form.code, submission.unit.code, submission.period]),
    }
    enqueue(send_mail, subject % context, body % context, recipients, robust=True)
