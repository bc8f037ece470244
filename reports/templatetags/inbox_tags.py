"""The rows of the inbox and of the review queue, joined here rather than by a loop of template nodes:
50 rows of about 25 nodes each were two thirds of the page's rendering (126 µs a row). The markup is
the same as the template drew; tests in reports/tests/test_inbox.py read it."""
from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext

from reports.models import SubmissionStatus
from reports.templatetags.period_tags import period_label

register = template.Library()

END_GROUP = mark_safe("</tbody>")  # noqa: S308 — a constant tag
DAY = "%d/%m/%Y"
MOMENT = "%H:%M %d/%m/%Y"


def _local(moment, pattern: str) -> str:
    """A date, or an aware moment in the portal's time zone, as the template's ``date`` filter wrote it."""
    if moment is None:
        return ""
    if hasattr(moment, "tzinfo") and timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime(pattern)


def _person(user) -> str:
    """Full name, else user name, else a dash (the template's ``firstof``)."""
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username() or "—"


def _grid_url(form, unit, period) -> str:
    return reverse("reports:grid", args=[form.code, unit.code, str(period)])


@register.simple_tag
def review_queue_rows(submissions):
    """One row per submitted report waiting for review: what, whose, which period, how long, from whom."""
    review = gettext("Xem và duyệt")
    sent_at = gettext("Gửi lúc")
    rows = []
    for s in submissions:
        period = period_label(s.period)
        if s.waiting_days is not None:
            waiting = format_html(
                '<span title="{} {}">{}</span><div class="small text-body-secondary d-none d-sm-block">{}</div>',
                sent_at, _local(s.submitted_at, MOMENT),
                ngettext("%(days)s ngày", "%(days)s ngày", s.waiting_days) % {"days": localize(s.waiting_days)},
                _local(s.submitted_at, DAY),
            )
        else:
            waiting = "—"
        rows.append((
            s.pk, s.form.name, s.unit.name, period, s.unit.name, period, waiting, _person(s.submitted_by),
            _grid_url(s.form, s.unit, s.period), review,
        ))
    return format_html_join(
        "\n",
        '<tr data-submission="{}">\n'
        '<td>{}<div class="small text-body-secondary d-md-none">{} · {}</div></td>\n'
        '<td class="d-none d-md-table-cell">{}</td><td class="d-none d-md-table-cell">{}</td>\n'
        "<td>{}</td>\n"
        '<td class="d-none d-lg-table-cell">{}</td>\n'
        '<td class="text-end"><a class="btn btn-sm btn-primary" href="{}">{}</a></td>\n'
        "</tr>",
        rows,
    )


@register.simple_tag
def inbox_rows(items):
    """The officer's reports, a ``<tbody>`` per group (returned, due, the rest) headed by its name."""
    deadline_word, reason_word, open_word = gettext("Hạn nộp"), gettext("Lý do"), gettext("Mở")
    parts, group = [], object()
    for item in items:
        if item.group != group:
            if parts:
                parts.append(END_GROUP)
            group = item.group
            parts.append(format_html(
                '<tbody data-group="{}"><tr class="table-light"><th colspan="5" scope="rowgroup" class="small">{}</th></tr>',
                item.group, item.group_label,
            ))
        label, deadline = item.period.label(), _local(item.deadline, DAY)
        notes = []
        if item.days_overdue:
            notes.append(format_html(
                '<div class="small text-danger">{}</div>',
                ngettext("Quá hạn %(days)s ngày", "Quá hạn %(days)s ngày", item.days_overdue)
                % {"days": localize(item.days_overdue)},
            ))
        if item.status == SubmissionStatus.RETURNED:
            submission = item.submission
            notes.append(format_html(
                '<div class="small">{}: {}</div><div class="small text-body-secondary">{} · {}</div>',
                reason_word, submission.return_reason, _person(submission.returned_by),
                _local(submission.returned_at, MOMENT),
            ))
        parts.append(format_html(
            '<tr data-form="{}" data-period="{}" data-status="{}">\n'
            '<td>{}<div class="d-sm-none fw-semibold">{}</div><div class="small text-body-secondary d-md-none">{} {}</div></td>\n'
            '<td class="text-nowrap d-none d-sm-table-cell">{}</td>\n'
            '<td class="d-none d-md-table-cell">{}</td>\n'
            '<td><span class="badge text-bg-{}">{}</span>{}</td>\n'
            '<td class="text-end"><a class="btn btn-sm {}" href="{}">{}</a></td>\n'
            "</tr>",
            item.form.code, item.period, item.status,
            item.form.name, label, deadline_word, deadline,
            label,
            deadline,
            item.badge, item.status_label, format_html_join("", "{}", ((note,) for note in notes)),
            "btn-primary" if item.group == 0 else "btn-outline-primary", _grid_url(item.form, item.unit, item.period),
            open_word,
        ))
    if parts:
        parts.append(END_GROUP)
    return format_html_join("\n", "{}", ((part,) for part in parts))

