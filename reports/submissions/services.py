"""Writes of the reporting workflow: drafts, values, submit, return, approve, reopen.

Every service runs in one transaction and locks the submission row, so two people acting on the
same form are serialised; a save carrying an old version number is refused, never merged silently.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mattran.models import Unit
from reports.cache import bump_data_version
from reports.models import DataValue, FormKind, PlanValue, Submission, SubmissionStatus
from reports.periods import Period
from reports.submissions.bulk import insert_history, upsert_rows
from reports.submissions.mail import mail_after_commit, reviewer_emails, submitter_emails
from reports.submissions.rules import check_rows
from reports.submissions.selectors import (
    as_period,
    form_indicators_of,
    period_entry_refusal,
    row_units,
    stored_values,
    typed_value,
)
from reports.submissions.validation import Problem, display_value, parse_value
from reports.targets import incremental

STALE_MESSAGE = gettext_lazy(
    "Dữ liệu đã được người khác thay đổi trong lúc bạn nhập (phiên bản %(current)s, bạn đang sửa phiên bản "
    "%(expected)s). Không có gì được lưu: hãy tải lại trang để xem số liệu mới rồi nhập lại."
)


@dataclass(frozen=True)
class Change:
    unit: object
    indicator: object
    old: object
    new: object

    def __str__(self):
        return f"{self.unit} – {self.indicator}: {display_value(self.old) or '∅'} → {display_value(self.new) or '∅'}"


@dataclass
class SaveResult:
    """What ``values_save`` did: saved or not, the problems found, the cells changed, the new version."""

    saved: bool
    version: int
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)

    @property
    def needs_confirmation(self) -> bool:
        return not self.saved and not self.errors and bool(self.warnings)


def _rows_within(scope, submission: Submission, cache: dict) -> set[int]:
    """Ids of the units under ``scope`` on the tree of the submission's period (fetched once)."""
    if "ids" not in cache:
        end = Period.parse(submission.period).end
        cache["ids"] = set(Unit.objects.within_on(scope, end).values_list("pk", flat=True))
    return cache["ids"]


def _lock(submission: Submission) -> Submission:
    # of=("self",): lock only the submission row. A plain FOR UPDATE would also lock the joined form and
    # unit rows, and every insert referencing that unit (target results of a concurrent recompute) then
    # waits on its foreign-key check: a deadlock once that recompute holds the run record we wait for.
    return Submission.objects.select_for_update(of=("self",)).select_related("form", "unit").get(pk=submission.pk)


def _refuse_edit(submission: Submission, user):
    if not submission.is_viewable_by(user):
        raise ValidationError(_("Bạn không có quyền với báo cáo này."), code="forbidden")
    if submission.status == SubmissionStatus.SUBMITTED:
        raise ValidationError(_("Báo cáo đã gửi và đang chờ duyệt: không thể sửa."), code="locked")
    if submission.status == SubmissionStatus.APPROVED:
        raise ValidationError(
            _("Báo cáo đã được duyệt và khóa: cần cán bộ tỉnh mở lại (có lý do) trước khi sửa."), code="locked"
        )
    raise ValidationError(_("Bạn không có quyền sửa báo cáo này."), code="forbidden")


def submission_get_or_create(*, form, unit, period, by) -> Submission:
    """The submission of ``form`` by ``unit`` for ``period``, created as a draft when none exists."""
    period = as_period(period)
    if period.type != form.period_type:
        raise ValidationError(_("Kỳ %(period)s không phải kỳ của biểu mẫu “%(form)s”.") % {"period": period, "form": form})
    if unit.kind != form.submitter_kind_on(period.end):
        raise ValidationError(_("%(unit)s không phải đơn vị gửi biểu mẫu “%(form)s”.") % {"unit": unit, "form": form})
    if not Submission(form=form, unit=unit, period=str(period), year=period.year).is_viewable_by(by):
        raise ValidationError(_("Bạn không có quyền với báo cáo này."), code="forbidden")
    existing = Submission.objects.filter(form=form, unit=unit, period=str(period)).first()
    if existing is not None:  # opened before (or made in the admin): the gate is for new drafts only
        return existing
    refusal = period_entry_refusal(form, period)
    if refusal:
        raise ValidationError(refusal, code="period_closed")
    with transaction.atomic():
        submission, _created = Submission.objects.get_or_create(
            form=form, unit=unit, period=str(period), defaults={"year": period.year, "updated_by": by}
        )
    return submission


def values_save(
    *, submission: Submission, values: dict, by, expected_version: int, confirm_warnings: bool = False,
    dry_run: bool = False,
) -> SaveResult:
    """Check and save cells ``{(unit id, indicator id): raw}``; all or nothing.

    Raw values are strings or Python values (see ``parse_value``); an empty one clears the cell.
    Refuses (``ValidationError``) a stale ``expected_version``, a locked submission or a user who
    may not edit it. Data problems come back in ``result.errors`` and nothing is saved; warnings
    (such as a festival date outside 1–18/11) stop the save until ``confirm_warnings`` is true.
    ``dry_run`` checks and lists the changes (old → new) without writing.
    """
    with transaction.atomic():
        submission = _lock(submission)
        if not submission.is_editable_by(by):
            _refuse_edit(submission, by)
        if submission.version != expected_version:
            raise ValidationError(
                STALE_MESSAGE % {"current": submission.version, "expected": expected_version}, code="stale"
            )
        form, period = submission.form, Period.parse(submission.period)
        columns = {fi.indicator_id: fi.indicator for fi in form_indicators_of(form)}
        unit_ids = {unit_id for unit_id, _ in values}
        units = {u.pk: u for u in row_units(form, submission.unit, period).filter(pk__in=unit_ids)}
        row_scope = submission.row_scope_for(by)
        errors: list[Problem] = []
        for unit_id in sorted(unit_ids - units.keys(), key=str):
            errors.append(Problem(_("Đơn vị mã nội bộ %(id)s") % {"id": unit_id}, None,
                                  _("không phải một dòng của báo cáo này.")))
        parsed: dict = {}
        inside: dict = {}
        for (unit_id, indicator_id), raw in values.items():
            unit, indicator = units.get(unit_id), columns.get(indicator_id)
            if unit is None:
                continue
            if indicator is None:
                errors.append(Problem(unit, _("cột mã nội bộ %(id)s") % {"id": indicator_id},
                                      _("không phải một chỉ số của biểu mẫu.")))
                continue
            if row_scope.pk != submission.unit_id and unit_id not in _rows_within(row_scope, submission, inside):
                errors.append(Problem(unit, indicator, _("Bạn chỉ được nhập các dòng thuộc %(scope)s.")
                                      % {"scope": row_scope}))
                continue
            try:
                parsed[(unit_id, indicator_id)] = parse_value(indicator, raw)
            except ValidationError as error:
                errors.extend(Problem(unit, indicator, message) for message in error.messages)
        if errors:
            return SaveResult(saved=False, version=submission.version, errors=errors)

        stored = stored_values(form, list(units), list(columns), period)
        rows = {unit: {} for unit in units.values()}
        for (unit_id, indicator_id), row in stored.items():
            rows[units[unit_id]][columns[indicator_id].code] = typed_value(row, columns[indicator_id])
        changes: list[Change] = []
        for (unit_id, indicator_id), new in parsed.items():
            unit, indicator = units[unit_id], columns[indicator_id]
            old = typed_value(stored.get((unit_id, indicator_id)), indicator)
            rows[unit][indicator.code] = new
            if old != new:
                changes.append(Change(unit, indicator, old, new))
        errors, warnings = check_rows(form, period, rows, indicators={c.code: c for c in columns.values()})
        changed_cells = {(change.unit.pk, change.indicator.pk) for change in changes}
        warnings = [w for w in warnings if (w.unit.pk, getattr(w.indicator, "pk", None)) in changed_cells]
        result = SaveResult(saved=False, version=submission.version, errors=errors, warnings=warnings, changes=changes)
        if errors or dry_run or (warnings and not confirm_warnings):
            return result
        if changes:
            _write(submission, form, period, changes, stored, by)
            submission.version += 1
            submission.updated_by = by
            submission._history_user = by
            submission.save(update_fields=["version", "updated_by", "updated_at"])
        result.saved, result.version = True, submission.version
        return result


def _write(submission, form, period, changes, stored, by):
    now = timezone.now()
    flag = submission.approved_at is not None and submission.reopened_at is not None
    created, updated = [], []
    for change in changes:
        row = stored.get((change.unit.pk, change.indicator.pk))
        if form.kind == FormKind.PLAN:
            if change.new is None:
                if row is not None:
                    row._history_user = by
                    row.delete()
                continue
            row = row or PlanValue(indicator=change.indicator, unit=change.unit, year=period.year)
            row.value = change.new
        else:
            row = row or DataValue(indicator=change.indicator, unit=change.unit, period=str(period), year=period.year)
            row.set_typed_value(change.indicator.value_type, change.new)
            row.changed_since_approval = row.changed_since_approval or flag
        row.submission, row.updated_by, row.updated_at = submission, by, now
        (updated if row.pk else created).append(row)
    model = PlanValue if form.kind == FormKind.PLAN else DataValue
    upsert_rows(model, created + updated, now)
    if created:
        keys = {(row.unit_id, row.indicator_id): row for row in created}
        lookup = {"year": period.year} if model is PlanValue else {"period": str(period)}
        for pk, unit_id, indicator_id in model.objects.filter(
            unit_id__in={u for u, _ in keys}, indicator_id__in={i for _, i in keys}, **lookup
        ).values_list("pk", "unit_id", "indicator_id"):
            if (unit_id, indicator_id) in keys:
                keys[(unit_id, indicator_id)].pk = pk
    insert_history(model, [(row, "+") for row in created] + [(row, "~") for row in updated], by, now)
    if model is PlanValue:
        bump_data_version()  # the dashboard reads plans directly (reports/cache.py)


def missing_values(submission: Submission) -> dict:
    """{unit: [indicator, …]} of the required cells still empty (three or four queries)."""
    form, period = submission.form, Period.parse(submission.period)
    required = [fi.indicator for fi in form_indicators_of(form) if fi.required]
    units = list(row_units(form, submission.unit, period))
    stored = stored_values(form, [u.pk for u in units], [i.pk for i in required], period)
    missing = {}
    for unit in units:
        empty = [i for i in required if typed_value(stored.get((unit.pk, i.pk)), i) is None]
        if empty:
            missing[unit] = empty
    return missing


def submission_submit(*, submission: Submission, by) -> Submission:
    """Send the form to the province: every required value present and every rule met."""
    with transaction.atomic():
        submission = _lock(submission)
        if not submission.is_submittable_by(by):
            if submission.is_open() and submission.is_viewable_by(by):
                raise ValidationError(_("Chỉ cán bộ của đơn vị gửi báo cáo mới được gửi."), code="forbidden")
            _refuse_edit(submission, by)
        missing = missing_values(submission)
        if missing:
            raise ValidationError(
                [_("Chưa thể gửi: còn thiếu số liệu ở %(n)s dòng.") % {"n": len(missing)}]
                + [
                    _("%(unit)s: thiếu %(columns)s.") % {"unit": unit, "columns": ", ".join(i.name for i in indicators)}
                    for unit, indicators in missing.items()
                ],
                code="missing",
            )
        form, period = submission.form, Period.parse(submission.period)
        columns = {fi.indicator_id: fi.indicator for fi in form_indicators_of(form)}
        units = {u.pk: u for u in row_units(form, submission.unit, period)}
        rows = {unit: {} for unit in units.values()}
        for (unit_id, indicator_id), row in stored_values(form, list(units), list(columns), period).items():
            rows[units[unit_id]][columns[indicator_id].code] = typed_value(row, columns[indicator_id])
        errors, _warnings = check_rows(form, period, rows, indicators={c.code: c for c in columns.values()})
        if errors:
            raise ValidationError([_("Chưa thể gửi: số liệu còn sai.")] + [str(e) for e in errors], code="invalid")
        now = timezone.now()
        submission.submitted_at, submission.submitted_by = now, by
        _finish(submission, by, SubmissionStatus.SUBMITTED, ["submitted_at", "submitted_by"])
        mail_after_commit(
            submission, reviewer_emails(submission),
            _("[MTTQ] %(unit)s đã gửi báo cáo “%(form)s” %(period)s"),
            _("%(by)s đã gửi báo cáo “%(form)s” của %(unit)s, kỳ %(period)s, lúc %(when)s.\nXem và duyệt: %(url)s"),
            by,
        )
        return submission


def submission_return(*, submission: Submission, by, reason: str, expected_version: int | None = None) -> Submission:
    """Send a submitted form back to its unit with a reason (required).

    ``expected_version`` is the version the reviewer saw; a later one is refused (see ``_require_review``).
    """
    reason = _required_reason(reason, _("Cần ghi lý do trả lại."))
    return _review_step(
        submission, by, expected_version, SubmissionStatus.SUBMITTED, SubmissionStatus.RETURNED,
        {"returned_at": timezone.now(), "returned_by": by, "return_reason": reason},
        _("[MTTQ] Báo cáo “%(form)s” %(period)s của %(unit)s bị trả lại"),
        _("%(by)s đã trả lại báo cáo “%(form)s” của %(unit)s, kỳ %(period)s, lúc %(when)s.\nLý do: %(reason)s\n"
          "Sửa và gửi lại: %(url)s"),
        reason=reason,
    )


def submission_approve(*, submission: Submission, by, expected_version: int | None = None) -> Submission:
    """Approve a submitted form: its values are locked.

    ``expected_version`` is the version the reviewer saw; a later one is refused, so no one approves
    values they never saw (see ``_require_review``).
    """
    return _review_step(
        submission, by, expected_version, SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED,
        {"approved_at": timezone.now(), "approved_by": by},
        _("[MTTQ] Báo cáo “%(form)s” %(period)s của %(unit)s đã được duyệt"),
        _("%(by)s đã duyệt báo cáo “%(form)s” của %(unit)s, kỳ %(period)s, lúc %(when)s.\n%(url)s"),
    )


def submission_reopen(*, submission: Submission, by, reason: str, expected_version: int | None = None) -> Submission:
    """Unlock an approved form for correction (a draft again); values changed afterwards are flagged."""
    reason = _required_reason(reason, _("Cần ghi lý do mở lại."))
    return _review_step(
        submission, by, expected_version, SubmissionStatus.APPROVED, SubmissionStatus.DRAFT,
        {"reopened_at": timezone.now(), "reopened_by": by, "reopen_reason": reason},
        _("[MTTQ] Báo cáo “%(form)s” %(period)s của %(unit)s được mở lại để sửa"),
        _("%(by)s đã mở lại báo cáo “%(form)s” của %(unit)s, kỳ %(period)s, lúc %(when)s.\nLý do: %(reason)s\n"
          "Các số liệu sửa từ nay sẽ được đánh dấu “đã sửa sau khi duyệt”. %(url)s"),
        reason=reason,
    )


def _required_reason(reason: str, message) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(message, code="reason_required")
    return reason


def _review_step(submission, by, expected_version, from_status, to_status, stamps: dict, subject, body, reason=""):
    """One review step in a transaction: lock, check (reviewer, version, status), stamp who and
    when, move to ``to_status`` and tell the submitters after the commit."""
    with transaction.atomic():
        submission = _lock(submission)
        _require_review(submission, by, from_status, expected_version)
        for name, value in stamps.items():
            setattr(submission, name, value)
        _finish(submission, by, to_status, list(stamps))
        mail_after_commit(submission, submitter_emails(submission), subject, body, by, reason=reason)
        return submission


def _require_review(submission: Submission, by, status: str, expected_version: int | None = None):
    if not submission.is_reviewable_by(by):
        raise ValidationError(_("Chỉ cán bộ tỉnh mới được trả lại, duyệt hoặc mở lại báo cáo."), code="forbidden")
    if expected_version is not None and expected_version != submission.version:
        # Checked before the status: a report returned, changed and resubmitted since is SUBMITTED again.
        raise ValidationError(
            _("Báo cáo đã thay đổi từ khi bạn mở trang (bạn xem phiên bản %(seen)s, nay là %(now)s). "
              "Hãy tải lại trang, xem lại số liệu rồi làm lại.") % {"seen": expected_version, "now": submission.version},
            code="stale",
        )
    if submission.status != status:
        raise ValidationError(
            _("Báo cáo đang ở trạng thái “%(status)s”: không thể làm việc này.")
            % {"status": submission.get_status_display()},
            code="bad_status",
        )


def _finish(submission: Submission, by, status: str, fields: list[str]):
    """Move ``submission`` to ``status`` (with ``fields`` already set), save it and recompute what it touched."""
    previous, submission.status = submission.status, status
    submission.version += 1
    submission.updated_by = by
    submission._history_user = by  # the step's author in the history, whatever path took it (page, API, command)
    submission.save(update_fields=["status", *fields, "version", "updated_by", "updated_at"])
    incremental.submission_changed(submission, previous_status=previous)
