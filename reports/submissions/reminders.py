"""Deadline reminders to units that have not submitted, and a weekly summary to provincial staff.

A form's deadline is its period's end plus ``form.deadline_days``. Units that have not sent the
form (no submission SUBMITTED or APPROVED) get one e-mail in each window: from 3 days before the
deadline, from 1 day after, from 7 days after. A missed beat run is caught up by the next one
inside the window. ``ReminderLog`` (unique per unit, form, period and kind) makes every reminder
go out once, however often the job runs.
"""
from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from mattran.models import Officer, OfficerRole, Unit, UnitKind
from mattran.queue import enqueue
from mattran.tasks import send_mail
from reports.constants import COUNTED_STATUSES
from reports.models import ReportForm, Submission
from reports.periods import Period
from reports.submissions.models import ReminderKind, ReminderLog
from reports.submissions.selectors import deadline_of

logger = logging.getLogger(__name__)

# kind: [first day, last day) of its window, in days from the deadline
WINDOWS = {
    ReminderKind.BEFORE_3: (-3, 0),
    ReminderKind.AFTER_1: (1, 7),
    ReminderKind.AFTER_7: (7, 14),
}
SUMMARY_LOOKBACK_DAYS = 60


@dataclass(frozen=True)
class Due:
    form: ReportForm
    period: Period
    deadline: datetime.date


def _form_periods(today: datetime.date):
    """Every (form, period) of this year and last year with its deadline."""
    for form in ReportForm.objects.select_related("plan").order_by("order", "code"):
        for year in (today.year - 1, today.year):
            if not form.applies_to_year(year):
                continue
            for period in Period.all_in_year(year, form.period_type):
                yield Due(form, period, deadline_of(form, period))


def reminders_due(today: datetime.date) -> list[tuple[Due, str]]:
    """The (form, period) pairs whose reminder window of some kind contains ``today``."""
    due = []
    for item in _form_periods(today):
        for kind, (start, end) in WINDOWS.items():
            if item.deadline + datetime.timedelta(days=start) <= today < item.deadline + datetime.timedelta(days=end):
                due.append((item, kind))
    return due


def _missing_units(items: list[Due], within: Unit | None = None) -> dict[tuple[int, str], list[Unit]]:
    """``{(form_id, period): [units that have not submitted]}`` in three queries."""
    if not items:
        return {}
    kinds = {kind for item in items for kind in item.form.submitter_kinds}
    units = Unit.objects.filter(kind__in=kinds).order_by("code")
    if within is not None:
        units = units.within(within)
    units = list(units)
    condition = Q()
    for item in items:
        condition |= Q(form=item.form, period=str(item.period))
    submitted = set(
        Submission.objects.filter(condition, status__in=COUNTED_STATUSES).values_list("form_id", "unit_id", "period")
    )
    missing = {}
    for item in items:
        key = (item.form.pk, str(item.period))
        missing[key] = [
            u for u in units
            if u.kind == item.form.submitter_kind_on(item.period.end) and u.is_active_on(item.period.end)
            and (item.form.pk, u.pk, str(item.period)) not in submitted
        ]
    return missing


def _emails_by_unit(units, role=None) -> dict[int, list[str]]:
    officers = Officer.objects.filter(unit__in=units, user__is_active=True).exclude(user__email="")
    if role is not None:
        officers = officers.filter(role=role)
    emails: dict[int, list[str]] = {}
    for unit_id, email in officers.order_by("user__email").values_list("unit_id", "user__email"):
        emails.setdefault(unit_id, []).append(email)
    return emails


def _reminder_message(unit: Unit, due: Due, kind: str, recipients: list[str]) -> EmailMessage:
    deadline = date_format(due.deadline, "d/m/Y")
    subject = _("[MTTQ Lạng Sơn] Nhắc nộp báo cáo: %(form)s, %(period)s") % {
        "form": due.form.name, "period": due.period.label(),
    }
    if kind == ReminderKind.BEFORE_3:
        lead = _("Còn 3 ngày nữa đến hạn nộp (%(deadline)s).") % {"deadline": deadline}
    else:
        lead = _("Đã quá hạn nộp (%(deadline)s).") % {"deadline": deadline}
    body = "\n".join([
        _("Kính gửi Ủy ban MTTQ %(unit)s,") % {"unit": unit.name},
        "",
        _("Đơn vị chưa gửi báo cáo “%(form)s” kỳ %(period)s.") % {"form": due.form.name, "period": due.period.label()},
        lead,
        _("Đề nghị đơn vị nhập số liệu và gửi báo cáo trên Cổng theo dõi chương trình hành động."),
    ])
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)


def reminders_send(*, today: datetime.date | None = None) -> int:
    """Send the reminders due ``today`` to units that have not submitted; return how many went out."""
    today = today or timezone.localdate()
    due = reminders_due(today)
    if not due:
        return 0
    missing = _missing_units([item for item, _kind in due])
    units = {u.pk: u for group in missing.values() for u in group}
    emails = _emails_by_unit(list(units))
    condition = Q()
    for item, kind in due:
        condition |= Q(form=item.form, period=str(item.period), kind=kind)
    logged = set(ReminderLog.objects.filter(condition).values_list("unit_id", "form_id", "period", "kind"))
    sent = 0
    with translation.override("vi"):
        for item, kind in due:
            for unit in missing[(item.form.pk, str(item.period))]:
                recipients = emails.get(unit.pk)
                if not recipients or (unit.pk, item.form.pk, str(item.period), kind) in logged:
                    continue
                if _log_and_send(unit, item.form, str(item.period), kind, recipients,
                                 _reminder_message(unit, item, kind, recipients)):
                    sent += 1
    return sent


def _log_and_send(unit, form, period: str, kind: str, recipients: list[str], message: EmailMessage) -> bool:
    """Record the reminder, then queue it for the mail task after commit (which retries a failing
    mail server until it is sent); a duplicate (a concurrent run) sends nothing."""
    try:
        with transaction.atomic():
            ReminderLog.objects.create(unit=unit, form=form, period=period, kind=kind, recipients=", ".join(recipients))
            enqueue(send_mail, message.subject, message.body, list(message.to), False, robust=True)
    except IntegrityError:
        return False
    return True


def iso_week(day: datetime.date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def weekly_summary_send(*, today: datetime.date | None = None) -> int:
    """E-mail provincial staff, once per ISO week, the reports overdue in their province."""
    today = today or timezone.localdate()
    week = iso_week(today)
    provinces = list(Unit.objects.filter(kind=UnitKind.PROVINCE).order_by("code"))
    already = set(ReminderLog.objects.filter(
        kind=ReminderKind.WEEKLY, form__isnull=True, period=week, unit__in=provinces,
    ).values_list("unit_id", flat=True))
    emails = _emails_by_unit(provinces, role=OfficerRole.PROVINCE_STAFF)
    overdue = [
        item for item in _form_periods(today)
        if item.deadline < today and (today - item.deadline).days <= SUMMARY_LOOKBACK_DAYS
    ]
    sent = 0
    with translation.override("vi"):
        for province in provinces:
            recipients = emails.get(province.pk)
            if province.pk in already or not recipients:
                continue
            missing = _missing_units(overdue, within=province)
            lines = []
            for item in overdue:
                units = missing.get((item.form.pk, str(item.period)), [])
                if units:
                    lines.append(
                        _("- %(form)s, %(period)s (hạn %(deadline)s): %(count)s đơn vị chưa gửi: %(names)s") % {
                            "form": item.form.name, "period": item.period.label(),
                            "deadline": date_format(item.deadline, "d/m/Y"), "count": len(units),
                            "names": ", ".join(u.name for u in units),
                        }
                    )
            body = "\n".join([
                _("Tổng hợp tình hình gửi báo cáo tuần %(week)s của %(unit)s.") % {"week": week, "unit": province.name},
                "",
                *(lines or [_("Tất cả đơn vị đã gửi đủ các báo cáo đến hạn.")]),
            ])
            subject = _("[MTTQ Lạng Sơn] Tổng hợp gửi báo cáo tuần %(week)s") % {"week": week}
            message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
            if _log_and_send(province, None, week, ReminderKind.WEEKLY, recipients, message):
                sent += 1
    return sent
