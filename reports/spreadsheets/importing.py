"""Turn an uploaded table into a checked preview of changes, and apply it through the reporting services.

A preview (``ImportPlan``) lists every changed cell (old → new), the errors with their cell
references and the warnings. It holds only JSON-safe data, so it can wait in the session between
the preview page and the confirmation, and it records each submission's version so a stale
preview is refused at confirmation.
"""
from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from mattran.models import ANCESTOR_FIELD, Unit, UnitKind, UnitPlacement
from mattran.spreadsheets import MAX_ROWS, Table, cell_ref, too_many_data_rows
from programs.models import RatingLevel, ValueType
from reports.models import ReportForm, Submission
from reports.periods import Period
from reports.spreadsheets.data import form_columns, levels_of, same_value, submitting_unit_id
from reports.spreadsheets.plan import Change, ImportPlan
from reports.spreadsheets.template import CODE_HEADER, TEMPLATE_MARK
from reports.submissions.rules import check_rows
from reports.submissions.selectors import stored_values, typed_value
from reports.submissions.validation import display_value, parse_value

HEADER_SEARCH_ROWS = 10
IGNORED_HEADERS = {"ten_don_vi", "ten", "xa", "ten_xa", "ghi_chu"}
_ESCAPED_START = ("'=", "'+", "'-", "'@", "'\t", "'\r")


def _raw_of(value):
    """A cell value as ``parse_value`` reads it; unescape text our own export protected."""
    if isinstance(value, str):
        value = value.strip()
        if value.startswith(_ESCAPED_START):
            return value[1:]
    if isinstance(value, datetime.datetime):
        return value.date()
    return value


def _json_raw(typed):
    """A typed value as a JSON-safe raw value that ``parse_value`` reads back to the same thing."""
    if typed is None:
        return ""
    if isinstance(typed, bool | int):
        return typed
    if isinstance(typed, Decimal):
        return str(typed)
    if isinstance(typed, datetime.date):
        return typed.strftime("%d/%m/%Y")
    if isinstance(typed, RatingLevel):
        return typed.name
    return str(typed)


def _is_empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _find_header(table: Table) -> int | None:
    for row in range(1, min(HEADER_SEARCH_ROWS, len(table.rows)) + 1):
        value = table.value(row, 1)
        if isinstance(value, str) and value.strip().lower() == CODE_HEADER:
            return row
    return None


def import_prepare(
    *, form: ReportForm, period: Period, table: Table, by, unit: Unit | None = None, submission: Submission | None = None
) -> ImportPlan:
    """Check ``table`` against ``form`` and ``period`` and list what it would change.

    ``unit`` is the submitting unit of a web upload (every row must lie under it); without it the
    rows may belong to any submitting unit within ``by``'s scope (bulk loads from the command line).
    ``submission`` (saved or not) is the one the caller already holds for ``unit``, sparing queries.
    Nothing is written.
    """
    plan = ImportPlan(form_code=form.code, period=str(period))
    _check_metadata(plan, table, form, period, unit)
    header_row = _find_header(table)
    if header_row is None:
        plan.error(_("Không tìm thấy dòng tiêu đề: dòng đầu phải bắt đầu bằng “ma_don_vi” rồi đến mã các chỉ số."))
        return plan
    indicators = form_columns(form)
    by_code = {indicator.code: indicator for indicator in indicators}
    columns = _map_columns(plan, table, header_row, by_code, form)
    if plan.errors:
        return plan

    rows = _read_rows(plan, table, header_row, columns)
    if plan.rows_read > MAX_ROWS:
        return plan
    if not rows:
        plan.error(_("Tệp không có dòng số liệu nào dưới dòng tiêu đề."))
        return plan

    units = _resolve_units(plan, form, period, rows, by, unit)
    submissions = _check_submissions(plan, form, period, units, by, known=submission)

    existing = stored_values(form, [u.pk for u in units.values()], [i.pk for i in indicators], period)
    parsed, refs, merged_rows = _parse_cells(plan, table, rows, columns, units, indicators, existing)
    if plan.errors:
        return plan
    _check_across_cells(plan, form, period, merged_rows, by_code, parsed, existing, refs)
    if plan.errors:
        return plan

    _list_changes(plan, form, indicators, units, parsed, existing, refs)
    for unit_id, held in submissions.items():
        plan.versions[str(unit_id)] = held.version if held.pk else 0
    _warn_if_changed_since_download(plan, table)
    return plan


def _warn_if_changed_since_download(plan, table) -> None:
    downloaded = table.metadata.get("phien_ban", "")
    if downloaded.isdigit() and len(plan.versions) == 1:
        current = next(iter(plan.versions.values()))
        if int(downloaded) != current:
            plan.warnings.insert(0, _(
                "Báo cáo đã được sửa sau khi bạn tải mẫu (phiên bản %(old)s → %(new)s). Cột “giá trị cũ” là số liệu "
                "hiện tại; giá trị mới sẽ ghi đè lên các ô được liệt kê."
            ) % {"old": downloaded, "new": current})


def _read_rows(plan, table, header_row, columns) -> dict[str, tuple[int, dict]]:
    """``{unit code: (row number, {column: raw value})}`` below the header; blank and heading rows skipped.

    ``plan.rows_read`` counts every row with a code, duplicates included; past :data:`MAX_ROWS` the
    file is refused at the first row too many and reading stops.
    """
    rows: dict[str, tuple[int, dict]] = {}
    first_row = header_row + 1
    if str(table.metadata.get("dong_du_lieu", "")).isdigit():  # our template: skip its Vietnamese header row
        first_row = max(first_row, int(table.metadata["dong_du_lieu"]))
    for row_number in range(first_row, len(table.rows) + 1):
        cell = table.value(row_number, 1)
        raws = {column: table.value(row_number, column) for column in columns}
        if _is_empty(cell):
            if any(not _is_empty(v) for v in raws.values()):
                plan.error(_("Ô %(ref)s: thiếu mã đơn vị cho dòng có số liệu.") % {"ref": cell_ref(row_number, 1)})
            continue  # a commune heading or a blank line
        plan.rows_read += 1
        if plan.rows_read > MAX_ROWS:
            plan.errors.clear()  # the limit is the one reason worth reading; duplicates before it are noise
            plan.error(too_many_data_rows(row_number))
            return {}
        code = str(cell).strip()
        if isinstance(cell, float) and code.endswith(".0"):  # a numeric code typed as a number
            code = code[:-2]
        if code in rows:
            plan.error(_("Ô %(ref)s: mã đơn vị “%(code)s” đã có ở dòng %(row)s.")
                       % {"ref": cell_ref(row_number, 1), "code": code, "row": rows[code][0]})
            continue
        rows[code] = (row_number, raws)
    return rows


def _parse_cells(plan, table, rows, columns, units, indicators, existing):
    """Parse every cell of the known rows; answer parsed values, cell references and full rows for the rules."""
    # In a yes/no column that marks "có" with x, an empty cell of a filled row means "không".
    x_columns = {
        column for column, indicator in columns.items()
        if indicator.value_type == ValueType.BOOLEAN
        and any(str(table.value(r, column) or "").strip().lower() == "x" for r, _raws in rows.values())
    }
    merged_rows: dict[Unit, dict] = {}
    refs: dict[tuple[int, int], str] = {}
    parsed: dict[tuple[int, int], object] = {}
    for code, (row_number, raws) in rows.items():
        row_unit = units.get(code)
        if row_unit is None:  # already reported; keep checking the other rows' cells
            continue
        merged = {i.code: typed_value(existing.get((row_unit.pk, i.pk)), i) for i in indicators}
        row_is_blank = all(_is_empty(v) for v in raws.values())
        for column, raw in raws.items():
            indicator = columns[column]
            ref = cell_ref(row_number, column)
            refs[(row_unit.pk, indicator.pk)] = ref
            if isinstance(raw, str) and raw.lstrip().startswith("="):
                plan.error(_("Ô %(ref)s: công thức không được nhận; hãy nhập giá trị.") % {"ref": ref})
                continue
            try:
                value = parse_value(
                    indicator, _raw_of(raw), levels=levels_of(indicator),
                    blank_is_false=column in x_columns and not row_is_blank,
                )
            except ValidationError as error:
                plan.error(_("Ô %(ref)s: %(message)s") % {"ref": ref, "message": " ".join(error.messages)})
                continue
            parsed[(row_unit.pk, indicator.pk)] = value
            merged[indicator.code] = value
        merged_rows[row_unit] = merged
    return parsed, refs, merged_rows


def _check_across_cells(plan, form, period, merged_rows, by_code, parsed, existing, refs) -> None:
    """The reporting rules over whole rows (uploaded cells over stored ones), placed at their cells.

    Warnings are kept only for cells the upload changes, as ``values_save`` does.
    """
    errors, warnings = check_rows(form, period, merged_rows, indicators=by_code)
    indicators = {i.pk: i for i in by_code.values()}

    def where(problem):
        indicator = problem.indicator if hasattr(problem.indicator, "pk") else by_code.get(problem.indicator)
        key = (getattr(problem.unit, "pk", None), getattr(indicator, "pk", None))
        ref = refs.get(key)
        code = getattr(indicator, "code", problem.indicator)
        prefix = _("Ô %(ref)s") % {"ref": ref} if ref else getattr(problem.unit, "code", "")
        return key, f"{prefix} ({getattr(problem.unit, 'code', problem.unit)} – {code}): {problem.message}"

    for problem in errors:
        plan.error(where(problem)[1])
    for problem in warnings:
        key, message = where(problem)
        if key in parsed:
            old = typed_value(existing.get(key), indicators[key[1]]) if key[1] in indicators else None
            if not same_value(old, parsed[key]):
                plan.warnings.append(message)


def _check_metadata(plan, table, form, period, unit) -> None:
    meta = table.metadata
    if meta.get("loai_tep") != TEMPLATE_MARK:
        return
    if meta.get("bieu_mau") != form.code:
        plan.error(_("Tệp là mẫu của biểu mẫu “%(other)s”, không phải “%(form)s”.")
                   % {"other": meta.get("bieu_mau"), "form": form.code})
    if meta.get("ky_bao_cao") != str(period):
        plan.error(_("Tệp là mẫu của kỳ %(other)s, không phải kỳ %(period)s.")
                   % {"other": meta.get("ky_bao_cao"), "period": period})
    if unit is not None and meta.get("don_vi") != unit.code:
        plan.error(_("Tệp là mẫu của đơn vị “%(other)s”, không phải “%(unit)s”.")
                   % {"other": meta.get("don_vi"), "unit": unit.code})


def _map_columns(plan, table, header_row, by_code, form) -> dict:
    columns: dict[int, object] = {}
    seen: dict[str, str] = {}
    width = max((len(r) for r in table.rows[:header_row]), default=0)
    for column in range(2, width + 1):
        header = table.value(header_row, column)
        if _is_empty(header):
            continue
        code = str(header).strip().lower()  # indicator codes are lower-case slugs
        if code in IGNORED_HEADERS or code.startswith("_"):
            continue
        ref = cell_ref(header_row, column)
        if code not in by_code:
            plan.error(_("Ô %(ref)s: chỉ số “%(code)s” không thuộc biểu mẫu “%(form)s”.")
                       % {"ref": ref, "code": code, "form": form.code})
            continue
        if code in seen:
            plan.error(_("Ô %(ref)s: chỉ số “%(code)s” đã có ở ô %(other)s.") % {"ref": ref, "code": code, "other": seen[code]})
            continue
        seen[code] = ref
        columns[column] = by_code[code]
    if not columns and not plan.errors:
        plan.error(_("Dòng tiêu đề không có mã chỉ số nào của biểu mẫu “%(form)s”.") % {"form": form.code})
    return columns


def _resolve_units(plan, form, period, rows, by, unit) -> dict[str, Unit]:
    from mattran.access import scope_of

    scope = unit if unit is not None else scope_of(by)
    # On the tree of the period: a code names its unit then (reused in 2025), a row has its ancestors then.
    found = {}
    for u in Unit.objects.filter(code__in=list(rows)).order_by(F("valid_to").desc(nulls_first=True)):
        if u.code not in found or u.is_active_on(period.end):
            found[u.code] = u
    placed = {p.unit_id: p for p in UnitPlacement.objects.on(period.end).filter(unit__in=list(found.values()))}
    submitter_field = f"{ANCESTOR_FIELD[form.submitter_kind_on(period.end)]}_id"
    for u in found.values():
        u.submitter_then = getattr(placed[u.pk], submitter_field) if u.pk in placed else None
    kind_label = UnitKind(form.row_kind).label
    units = {}
    for code, (row_number, _raws) in rows.items():
        ref = cell_ref(row_number, 1)
        row_unit = found.get(code)
        if row_unit is None:
            plan.error(_("Ô %(ref)s: không có đơn vị mã “%(code)s”.") % {"ref": ref, "code": code})
        elif scope is not None and getattr(placed.get(row_unit.pk), f"{ANCESTOR_FIELD[scope.kind]}_id", None) != scope.pk:
            plan.error(_("Ô %(ref)s: đơn vị “%(code)s” không thuộc phạm vi %(scope)s.")
                       % {"ref": ref, "code": code, "scope": scope.name})
        elif row_unit.kind != form.row_kind:
            plan.error(_("Ô %(ref)s: “%(code)s” là %(kind)s; biểu mẫu này mỗi dòng là một %(expected)s.")
                       % {"ref": ref, "code": code, "kind": row_unit.get_kind_display().lower(),
                          "expected": str(kind_label).lower()})
        elif not row_unit.is_active_on(period.end):
            plan.error(_("Ô %(ref)s: đơn vị “%(code)s” không còn hoạt động trong kỳ %(period)s.")
                       % {"ref": ref, "code": code, "period": period})
        elif submitting_unit_id(form, row_unit) is None:
            plan.error(_("Ô %(ref)s: đơn vị “%(code)s” không thuộc đơn vị gửi báo cáo nào.") % {"ref": ref, "code": code})
        else:
            units[code] = row_unit
    return units


def _check_submissions(plan, form, period, units, by, known=None) -> dict[int, Submission]:
    """The submissions the rows belong to (unsaved if new), each checked as editable by ``by``."""
    needed = {submitting_unit_id(form, u) for u in units.values()}
    if known is not None and needed <= {known.unit_id}:
        existing = {known.unit_id: known} if needed else {}
    else:
        existing = {
            s.unit_id: s
            for s in Submission.objects.filter(form=form, period=str(period), unit_id__in=needed).select_related("unit", "form")
        }
    submitters = {u.pk: u for u in Unit.objects.filter(pk__in=needed - set(existing))} if needed - set(existing) else {}
    result = {}
    for unit_id in sorted(needed):
        submission = existing.get(unit_id) or Submission(
            form=form, unit=submitters[unit_id], period=str(period), year=period.year
        )
        if not submission.is_editable_by(by):
            if not submission.is_open():
                plan.error(_("Báo cáo của %(unit)s kỳ %(period)s đang ở trạng thái “%(status)s”, không sửa được.")
                           % {"unit": submission.unit.name, "period": period, "status": submission.get_status_display()})
            else:
                plan.error(_("Bạn không có quyền nhập báo cáo của %(unit)s.") % {"unit": submission.unit.name})
        result[unit_id] = submission
    return result


def _list_changes(plan, form, indicators, units, parsed, existing, refs) -> None:
    by_pk = {u.pk: u for u in units.values()}
    by_indicator = {i.pk: i for i in indicators}
    changes = []
    for (unit_id, indicator_id), new in parsed.items():
        indicator = by_indicator[indicator_id]
        old = typed_value(existing.get((unit_id, indicator_id)), indicator)
        if same_value(old, new):
            plan.unchanged += old is not None  # empty cells left empty are not values
            continue
        row_unit = by_pk[unit_id]
        changes.append(Change(
            ref=refs[(unit_id, indicator_id)], unit_code=row_unit.code, unit_name=row_unit.name,
            indicator_code=indicator.code, indicator_name=indicator.name,
            old=display_value(old), new=display_value(new),
        ))
        submitter = str(submitting_unit_id(form, row_unit))
        plan.cells.setdefault(submitter, []).append([unit_id, indicator_id, _json_raw(new)])
    plan.changes = changes


class StaleImport(ValidationError):
    """The data changed between the preview and the confirmation."""


def import_apply(*, plan: ImportPlan, by, submit: bool = False) -> dict[str, int]:
    """Save a checked preview in one transaction; refuse it whole if any submission moved on since."""
    from reports.submissions import services

    if not plan.ok:
        raise ValidationError(plan.errors)
    form = ReportForm.objects.get(code=plan.form_code)
    period = Period.parse(plan.period)
    with transaction.atomic():
        current = {
            s.unit_id: s
            for s in Submission.objects.select_for_update().filter(
                form=form, period=plan.period, unit_id__in=[int(k) for k in plan.versions]
            ).order_by("pk")  # one lock order for every importer, so two imports cannot deadlock
        }
        submitters = {u.pk: u for u in Unit.objects.filter(pk__in=[int(k) for k in plan.versions])}
        for key, expected in sorted(plan.versions.items()):
            unit_id = int(key)
            submission = current.get(unit_id)
            if submission is not None and submission.version != expected and not (expected == 0 and submission.version == 1):
                raise StaleImport(
                    _("Báo cáo của %(unit)s đã được người khác sửa sau khi bạn xem trước; hãy tải lên lại.")
                    % {"unit": submission.unit.name},
                    code="stale",
                )
            cells = plan.cells.get(key, [])
            if not cells and not submit:
                continue  # nothing to write: do not create an empty draft
            if submission is None:
                submission = services.submission_get_or_create(
                    form=form, unit=submitters[unit_id], period=period, by=by
                )
            if cells:
                result = services.values_save(
                    submission=submission,
                    values={(row_id, indicator_id): raw for row_id, indicator_id, raw in cells},
                    by=by, expected_version=submission.version, confirm_warnings=True,
                )
                if not result.saved:  # raising rolls back every submission saved before this one
                    raise ValidationError([str(problem) for problem in result.errors] or [_("Không lưu được.")])
            if submit:
                submission.refresh_from_db()
                services.submission_submit(submission=submission, by=by)
    return {"created": plan.created, "changed": plan.changed, "cleared": plan.cleared, "unchanged": plan.unchanged}
