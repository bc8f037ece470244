"""The entry grid's page: rows paged without cutting a commune in two, and the cells the template draws.

A district has up to about 300 residential areas; they fit on one page. Larger sets are split between
communes, never inside one, so that an officer always sees a commune's areas together.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from mattran.models import Unit, UnitKind
from programs.models import ValueType
from reports.models import FormKind
from reports.periods import PeriodType
from reports.submissions import selectors
from reports.submissions.validation import display_value, localized_number

GRID_PAGE_ROWS = 300


@dataclass(frozen=True)
class RowPage:
    """One page of the grid: ``limit`` rows from ``offset``; ``label`` names its first and last commune."""

    number: int
    offset: int
    limit: int
    label: str


def row_pages(form, read_scope, period) -> list[RowPage]:
    """The grid's pages (one query): whole communes of areas up to ``GRID_PAGE_ROWS`` rows, else rows by count."""
    units = selectors.row_units(form, read_scope, period)
    if form.row_kind != UnitKind.AREA:
        total = units.count()
        return [
            RowPage(n + 1, start, min(GRID_PAGE_ROWS, total - start), f"{start + 1}–{min(total, start + GRID_PAGE_ROWS)}")
            for n, start in enumerate(range(0, total, GRID_PAGE_ROWS))
        ] or [RowPage(1, 0, 0, "")]
    groups = (
        units.values("commune_then_id", "commune_then_name", "commune_then_code").annotate(n=Count("pk"))
        .order_by("commune_then_code")
    )
    pages, start, size, first, last = [], 0, 0, None, None
    for group in groups:
        if size and size + group["n"] > GRID_PAGE_ROWS:
            pages.append(RowPage(len(pages) + 1, start, size, _label(first, last)))
            start, size, first = start + size, 0, None
        size += group["n"]
        first = first or group["commune_then_name"] or "—"
        last = group["commune_then_name"] or "—"
    if size or not pages:
        pages.append(RowPage(len(pages) + 1, start, size, _label(first, last)))
    return pages


def _label(first, last) -> str:
    if first is None or first == last:
        return first or ""
    return f"{first} – {last}"


def previous_label(form) -> str:
    """What the small figure under each cell is: last year's, last month's… value."""
    if form.kind == FormKind.PLAN or form.period_type in (PeriodType.YEARLY, PeriodType.NINE_MONTHS):
        return _("Năm trước")
    if form.period_type == PeriodType.MONTHLY:
        return _("Tháng trước")
    if form.period_type == PeriodType.QUARTERLY:
        return _("Quý trước")
    return _("Kỳ trước")


def cell_input(value, value_type: str) -> str:
    """A typed value as the grid's input shows it (plain numbers, dd/mm/yyyy, Có/Không, level code).

    Yes/no cells are text inputs in the page (“Có”, “Không”, “x”… are read as on upload); the page's
    script turns them into a three-way select. Their markup stays small for 300 rows.
    """
    if value is None:
        return ""
    if value_type == ValueType.RATING:
        return value.code
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return localized_number(value, grouping=False)
    return display_value(value)


def grid_columns(grid) -> list:
    """The grid's columns with what the template needs: whether a number, a rating's levels to choose
    from. Each is a shallow copy of the form's column (those are the catalogue's copy, shared by the
    process: never changed), and replaces it in ``grid.columns``."""
    columns = []
    for col, shared in enumerate(grid.columns):
        column = copy.copy(shared)
        columns.append(column)
        indicator = column.indicator
        scale = indicator.rating_scale
        column.col = col
        column.type = indicator.value_type
        column.is_number = indicator.value_type in (ValueType.INTEGER, ValueType.DECIMAL)
        if indicator.value_type == ValueType.RATING:
            column.choices = [(level.code, level.name) for level in scale.levels.all()] if scale else []
        else:
            column.choices = None
    grid.columns = columns
    return columns


def grid_rows(grid, *, editable_scope, editable: bool, posted=None, problems=None) -> list[dict]:
    """Rows of cells as the template draws them: an input's text, or the value as read when the row is locked.

    ``posted`` ({(unit id, indicator id): raw}) are the values of a refused save, shown again as typed;
    ``problems`` ({(unit id, indicator id): [message]}) are shown under their cells.
    """
    posted, problems = posted or {}, problems or {}
    rows, group = [], object()
    # The rows under the officer's own unit on the tree of the period (one query, only when narrower).
    inside = set() if editable_scope.pk == grid.unit.pk else set(
        Unit.objects.within_on(editable_scope, grid.period.end).values_list("pk", flat=True)
    )
    for index, row in enumerate(grid.rows):
        row_editable = editable and (editable_scope.pk == grid.unit.pk or row.unit.pk in inside)
        cells = []
        for column in grid.columns:
            indicator_id = column.indicator_id
            key = (row.unit.pk, indicator_id)
            value = row.values[indicator_id]
            cells.append({
                "column": column,
                "name": f"v-{row.unit.pk}-{indicator_id}",
                "input": posted[key] if key in posted else cell_input(value, column.type),
                "shown": display_value(value),
                "previous": display_value(row.previous[indicator_id]),
                "changed": indicator_id in row.changed,
                "problems": problems.get(key, ()),
            })
        rows.append({
            "unit": row.unit, "index": index, "editable": row_editable, "cells": cells,
            "group": row.group if row.group != group else None,
        })
        group = row.group
    return rows


def history_url_pattern(form, unit, period) -> str:
    """A cell's history address with ``IND`` and ``ROW`` to replace (the page's script fills them in)."""
    return reverse("reports:cell_history", args=[form.code, unit.code, str(period), "IND", "ROW"])


def context(request, form, unit, period, submission, *, posted=None, result=None) -> dict:
    """Everything the grid page draws, in the same few queries for 20 or 300 rows."""
    user = request.user
    read_scope = submission.row_read_scope_for(user)  # a commune officer: the own commune's rows only
    pages = row_pages(form, read_scope, period)
    wanted = request.POST.get("page") or request.GET.get("page") or "1"
    page = pages[int(wanted) - 1] if wanted.isdigit() and 1 <= int(wanted) <= len(pages) else pages[0]
    total = pages[-1].offset + pages[-1].limit
    grid = selectors.grid_rows(form, read_scope, period, offset=page.offset, limit=page.limit or 1, total=total)
    problems = {}
    for problem in (result.errors + result.warnings) if result else []:
        key = (getattr(problem.unit, "pk", None), getattr(problem.indicator, "pk", None))
        problems.setdefault(key, []).append(problem.message)
    editable = submission.is_editable_by(user)
    columns = grid_columns(grid)
    rows = grid_rows(grid, editable_scope=submission.row_scope_for(user), editable=editable, posted=posted,
                     problems=problems) if page.limit else []
    return {
        "form": form, "unit": unit, "period": period, "submission": submission, "grid": grid, "columns": columns,
        "rows": rows, "pages": pages, "page": page, "editable": editable,
        "has_numbers": any(column.is_number for column in columns),
        "column_help": [column for column in columns if column.indicator.description],
        "any_editable": any(row["editable"] for row in rows),
        "unsaved": posted is not None,
        "deadline": selectors.deadline_of(form, period),
        "can_submit": submission.pk is not None and submission.is_submittable_by(user),
        "can_return": submission.pk is not None and submission.can_return(user),
        "can_approve": submission.pk is not None and submission.can_approve(user),
        "can_reopen": submission.pk is not None and submission.can_reopen(user),
        "result": result,
        "status_label": selectors.STATUS_LABELS[submission.status if submission.pk else selectors.NOT_STARTED],
        "other_errors": [str(p) for p in (result.errors if result else []) if getattr(p.unit, "pk", None) is None],
        "previous_label": previous_label(form),
        "history_pattern": history_url_pattern(form, unit, period),
        "grid_messages": {
            "not_number": _("Không phải là số (ví dụ: 1234 hoặc 1.234,5)."),
            "not_integer": _("Phải là số nguyên."),
            "negative": _("Không được âm."),
            "not_date": _("Ngày phải có dạng ngày/tháng/năm, ví dụ 15/11/2019."),
            "bad_date": _("Ngày này không có thật (tháng không có ngày đó)."),
            "no_such_choice": _("Không có lựa chọn này."),
            "yes": _("Có"),
            "no": _("Không"),
            "placeholder_date": _("dd/mm/yyyy"),
            "unsaved_leave": _("Có số liệu chưa lưu trên bảng này. Rời trang thì các thay đổi sẽ mất. Vẫn rời trang?"),
            "invalid_submit": _("Chưa gửi được: còn %(n)s ô sai (tô đỏ). Hãy sửa rồi gửi lại."),
            "cell_history": _("Lịch sử ô"),
            "position": _("%(i)s / %(n)s"),
            "not_found": _("Không tìm thấy đơn vị nào có tên này."),
        },
    }
