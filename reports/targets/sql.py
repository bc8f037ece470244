"""Target results in SQL: one statement per target over the whole unit tree (or a scope of it).

Each target of a year is ONE SQL statement over the whole unit tree as at 31 December: the
counted units (kinds in ``target.counted_kinds``, their placements in force on 31 December) LEFT JOIN their counted value
(submission SUBMITTED or APPROVED; drafts and returned submissions never count), with
conditional sums GROUPED BY each ancestor column (province, district, commune) and glued
with UNION ALL, which runs unchanged on PostgreSQL and SQLite. The percentage and the decision
are the SQL forms of ``programs.target_rules``.

A unit with no counted unit in its subtree gets NO TargetResult row (there is nothing to
measure); pages show it as "no data". Every written row carries the run's ``computed_at``,
and rows of the same (target, year) and scope that the run did not write are deleted, so a
rerun after a crash, or after units ended, leaves exactly the rows a clean run leaves.
"""
from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone

from mattran.models import ANCESTOR_FIELD, UnitPlacement
from programs.models import RatingLevel, Target
from programs.target_rules import (
    achieved_sql,
    condition_param,
    condition_sql,
    has_value_any_sql,
    percent_cents_sql,
    percent_of,
)
from reports.constants import COUNTED_STATUSES, SubmissionStatus, year_end
from reports.models import DataValue, Submission, TargetResult
from reports.targets.scope import (
    RESULT_LEVELS,
    Scope,
    delete_stale,
    in_list,
    levels_from,
    placement_on_sql,
    subtree_filter,
    table_name,
)


def targets_of_year(year: int):
    return Target.objects.filter(first_year__lte=year, last_year__gte=year).select_related("indicator", "rating_level")


def _counted_sql(target: Target, year: int, where: tuple[str, list], tree_day=None) -> tuple[str, list]:
    """The counted units (of ``where``, an extra condition on ``u``, their placement at the year's
    end) with their value: one row each with its ancestor columns and ``reported``, ``met`` and
    ``pending`` (0 or 1)."""
    join, has_value, met_expr = condition_sql(target, table_name(RatingLevel))
    end = tree_day or year_end(year)
    kinds = [k for k in target.counted_kinds if k in ANCESTOR_FIELD]
    kind_marks = ", ".join(["%s"] * len(kinds)) or "NULL"
    sql = (
        "SELECT u.province_id, u.district_id, u.commune_id,"  # noqa: S608 (names from _meta, values as params)
        " CASE WHEN v.unit_id IS NULL THEN 0 ELSE 1 END AS reported,"
        " COALESCE(v.met, 0) AS met,"
        " CASE WHEN v.status = %s THEN 1 ELSE 0 END AS pending"
        f" FROM {table_name(UnitPlacement)} u LEFT JOIN ("
        f"  SELECT dv.unit_id, s.status, {met_expr} AS met"
        f"  FROM {table_name(DataValue)} dv JOIN {table_name(Submission)} s ON s.id = dv.submission_id{join}"
        f"  WHERE dv.indicator_id = %s AND dv.period = %s AND s.status IN (%s, %s) AND {has_value}"
        " ) v ON v.unit_id = u.unit_id"
        f" WHERE u.kind IN ({kind_marks})"
        " AND (u.valid_from IS NULL OR u.valid_from <= %s) AND (u.valid_to IS NULL OR u.valid_to >= %s)"
        f"{where[0]}"
    )
    params = [
        SubmissionStatus.SUBMITTED, condition_param(target),
        target.indicator_id, str(year), *COUNTED_STATUSES, *kinds, end, end, *where[1],
    ]
    return sql, params


COUNT_SUMS = "COUNT(*) AS denominator, SUM(reported) AS reported, SUM(met) AS met, SUM(pending) AS not_approved"


def target_counts_parts(target: Target, year: int, scope: Scope | None = None) -> tuple[str, str, list]:
    """The one aggregate of a target, in two parts: the counted units with their value (a CTE named
    ``counted``) and the UNION ALL of one GROUP BY per level giving (unit_id, denominator, reported,
    met, not_approved); params in text order. With ``scope``, only the scope's subtree is scanned
    and grouped (its ancestors are ``_target_ancestor_parts``'s)."""
    counted_sql, params = _counted_sql(target, year, subtree_filter(scope, "u."))
    if scope is None and connection.vendor == "postgresql":
        # One pass over the counted units for all three levels (a group key of NULL is no unit).
        columns = [f"{ANCESTOR_FIELD[kind]}_id" for kind in reversed(RESULT_LEVELS)]
        key = f"COALESCE({', '.join(columns)})"
        sets = ", ".join(f"({column})" for column in columns)
        grouped = f"SELECT {key} AS unit_id, {COUNT_SUMS} FROM counted GROUP BY GROUPING SETS ({sets}) HAVING {key} IS NOT NULL"  # noqa: S608
        return counted_sql, grouped, params
    parts = []
    for kind in levels_from(scope, RESULT_LEVELS):
        column = f"{ANCESTOR_FIELD[kind]}_id"
        parts.append(f"SELECT {column} AS unit_id, {COUNT_SUMS} FROM counted WHERE {column} IS NOT NULL GROUP BY {column}")  # noqa: S608
    return counted_sql, " UNION ALL ".join(parts) or "SELECT NULL AS unit_id, 0 AS denominator, 0 AS reported, 0 AS met, 0 AS not_approved WHERE 1 = 0", params


def _target_ancestor_parts(target: Target, year: int, unit_id: int, children) -> tuple[str, str, list]:
    """Like ``target_counts_parts`` for one ancestor of an incremental run, from rows, not its subtree:
    the sum of its children's (already rewritten) rows, plus the counted units among itself and
    its children of a kind with no rows (residential areas)."""
    rows = [child for child, kind in children if kind in RESULT_LEVELS]
    direct = [unit_id] + [child for child, kind in children if kind not in RESULT_LEVELS]
    counted_sql, params = _counted_sql(target, year, in_list("u.unit_id", direct))
    rows_sql, rows_params = in_list("unit_id", rows)
    grouped = (
        # Integers again (PostgreSQL sums bigints as numeric), for the integer arithmetic of the percentage.
        f"SELECT %s AS unit_id, CAST(SUM(denominator) AS INTEGER) AS denominator, CAST(SUM(reported) AS INTEGER) AS reported,"  # noqa: S608
        " CAST(SUM(met) AS INTEGER) AS met, CAST(SUM(not_approved) AS INTEGER) AS not_approved FROM ("
        " SELECT denominator, denominator - not_reported AS reported, numerator AS met, not_approved"
        f" FROM {table_name(TargetResult)} WHERE target_id = %s AND year = %s{rows_sql}"
        f" UNION ALL SELECT {COUNT_SUMS} FROM counted) parts HAVING SUM(denominator) > 0"
    )
    return counted_sql, grouped, params + [unit_id, target.pk, year, *rows_params]


def target_counts_recut(target: Target, year: int, unit, tree_day) -> dict:
    """``year``'s counts of ``target`` for ``unit`` on the tree as at ``tree_day`` (a figure of an
    earlier year re-cut on today's tree: the areas that belong to a new commune now, with what they
    reported then). Computed on the fly, never stored: one SELECT over the unit's subtree."""
    counted_sql, params = _counted_sql(target, year, subtree_filter(Scope(unit, tree_day.year), "u."), tree_day=tree_day)
    with connection.cursor() as cursor:
        cursor.execute(f"WITH counted AS ({counted_sql}) SELECT {COUNT_SUMS} FROM counted", params)  # noqa: S608
        denominator, reported, met, not_approved = (int(x or 0) for x in cursor.fetchone())
    return {
        "denominator": denominator, "numerator": met, "not_reported": denominator - reported, "not_approved": not_approved,
        "percent": percent_of(met, denominator), "achieved": target.meets(met, denominator) if denominator else False,
    }


def target_results_compute(
    *, target: Target, year: int, scope: Scope | None = None, prune: bool = True, top_computed: bool | None = None,
) -> int:
    """Write the target's results for ``year`` for every unit (or those ``scope`` touches); returns rows written.

    One INSERT … SELECT … ON CONFLICT: the counts, the percentage (ROUND_HALF_UP, integer
    arithmetic) and the exact decision of ``Target.meets`` are all computed in the database, so a
    national run moves no rows through Python. With ``scope`` (an incremental run), one statement
    for the scope's subtree, then one per ancestor, nearest first, summing the rows just below it.
    With ``prune=False`` the rows no longer produced are not looked for (a unit has a row while it
    has counted units below it, whatever their values: a status change never removes one).
    ``top_computed``: whether the target has a row under the scope's top ancestor, when the caller
    already asked (else one query).
    """
    now = timezone.now()
    ancestors = scope.ancestors(RESULT_LEVELS) if scope is not None else []
    if top_computed is None and ancestors:
        top_computed = TargetResult.objects.filter(target=target, year=year, unit_id=ancestors[-1][0]).exists()
    if ancestors and not top_computed:
        # Never computed under this top unit (a new target, say): no rows below to sum.
        scope, ancestors = scope.top(), []
    # (statement parts, the units whose rows it rewrites: asked only when stale rows are deleted)
    statements = [(target_counts_parts(target, year, scope), lambda: scope.units_sql(RESULT_LEVELS) if scope else ("", []))]
    statements += [
        (_target_ancestor_parts(target, year, unit_id, children), lambda unit_id=unit_id: (" AND unit_id = %s", [unit_id]))
        for unit_id, children in ancestors
    ]
    achieved, achieved_params = achieved_sql(target, "met", "denominator")
    table = table_name(TargetResult)
    columns = "numerator, denominator, percent, achieved, due, not_reported, not_approved"
    head = f"INSERT INTO {table} AS tr (target_id, unit_id, year, {columns}, computed_at)"
    body = (
        f" SELECT %s, unit_id, %s, met, denominator, {percent_cents_sql('met', 'denominator')} / 100.0, {achieved},"  # noqa: S608
        " %s, denominator - reported, not_approved, %s FROM grouped WHERE 1 = 1"
        " ON CONFLICT (target_id, unit_id, year) DO UPDATE SET numerator = excluded.numerator,"
        " denominator = excluded.denominator, percent = excluded.percent, achieved = excluded.achieved,"
        " due = excluded.due, not_reported = excluded.not_reported, not_approved = excluded.not_approved,"
        " computed_at = excluded.computed_at"
    )
    insert_params = [target.pk, year, *achieved_params, target.is_due(year), now]
    if scope is None and connection.vendor == "postgresql":
        # The whole tree in one statement that writes only what changed: the new figures full-joined
        # once with the stored rows (an ON CONFLICT … WHERE changed would still lock, so rewrite,
        # every row); a row whose figures are the same is left as it is (no dead row;
        # ``computed_at`` is when its figures last changed); new rows are inserted and rows no unit
        # produces any more are deleted, all from the same snapshot.
        (counted_sql, grouped_sql, counts_params), _units = statements[0]
        names = columns.split(", ")
        changed = " OR ".join(f"o.{column} IS DISTINCT FROM c.{column}" for column in names)
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH counted AS ({counted_sql}), grouped AS ({grouped_sql}),"  # noqa: S608
                " computed AS (SELECT unit_id, met AS numerator, denominator,"
                f" {percent_cents_sql('met', 'denominator')} / 100.0 AS percent, {achieved} AS achieved,"
                " %s AS due, denominator - reported AS not_reported, not_approved FROM grouped),"
                # The stored rows read once: one full join gives what to update, insert and delete.
                f" old AS (SELECT id, unit_id, {columns} FROM {table} WHERE target_id = %s AND year = %s),"
                f" diff AS (SELECT o.id AS old_id, c.unit_id, {', '.join(f'c.{column}' for column in names)}"
                f"  FROM computed c FULL JOIN old o ON o.unit_id = c.unit_id"
                f"  WHERE o.id IS NULL OR c.unit_id IS NULL OR {changed}),"
                f" updated AS (UPDATE {table} tr SET {', '.join(f'{column} = d.{column}' for column in names)},"
                "  computed_at = %s FROM diff d WHERE tr.id = d.old_id AND d.unit_id IS NOT NULL RETURNING 1),"
                f" inserted AS (INSERT INTO {table} (target_id, unit_id, year, {columns}, computed_at)"
                f"  SELECT %s, unit_id, %s, {columns}, %s FROM diff WHERE old_id IS NULL RETURNING 1),"
                f" deleted AS (DELETE FROM {table} WHERE id IN (SELECT old_id FROM diff WHERE unit_id IS NULL) RETURNING 1)"
                " SELECT (SELECT COUNT(*) FROM updated) + (SELECT COUNT(*) FROM inserted) + 0 * (SELECT COUNT(*) FROM deleted)",
                [*counts_params, *achieved_params, target.is_due(year), target.pk, year, now, target.pk, year, now],
            )
            return cursor.fetchone()[0]
    written = 0
    # One transaction (the caller's, if any: no savepoint): readers never see new rows beside stale ones.
    with transaction.atomic(savepoint=False):
        for (counted_sql, grouped_sql, counts_params), units in statements:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"{head} WITH counted AS ({counted_sql}), grouped AS ({grouped_sql}){body}", counts_params + insert_params,
                )
                written += cursor.rowcount
            # Rows of these units the statement did not write are no longer produced: gone before the
            # next (ancestor) statement sums them.
            if prune or not ancestors:
                delete_stale(TargetResult, now, units(), " AND target_id = %s AND year = %s", [target.pk, year])
    return written


def _counted_kind_sql(kinds_column: str, kind_column: str) -> str:
    """``kind_column`` is one of the JSON list in ``kinds_column`` (a target's ``counted_kinds``)."""
    if connection.vendor == "postgresql":
        return f"jsonb_exists({kinds_column}, {kind_column})"
    return f"EXISTS (SELECT 1 FROM json_each({kinds_column}) k WHERE k.value = {kind_column})"  # noqa: S608


def pending_moved(*, submission_id: int, year: int, change: int, now, first: tuple[str, list] | None = None) -> tuple[bool, tuple | None]:
    """Move the count of values not yet approved (``not_approved``) by ``change`` (−1: approved,
    +1: back to submitted) for every target of ``year`` that counts the submission's values, on
    the rows of each counted unit's commune, district and province: all an approval changes (its
    values counted before and still count). One statement, the targets joined in SQL.

    All or nothing, and never waiting for a target row: True when every count moved; False,
    nothing written, when a row it should move does not exist (a target no full run has computed
    yet) or is locked by other work (PostgreSQL: the rows are locked with SKIP LOCKED): the caller
    then recounts, in its savepoint that waits a little and gives way to a full recompute.

    ``first``: an UPDATE … RETURNING of one row whose second column, ``whole``, is a boolean, run before (on
    PostgreSQL in the same statement, before any target row is locked: its row locks come first);
    nothing moves unless it returned a row whose ``whole`` is true. Returns ``(moved, its row)``.
    """
    has_value, has_value_params = has_value_any_sql("t.condition")
    end = year_end(year)
    table = table_name(TargetResult)
    groups = " UNION ALL ".join(
        f"SELECT target_id, {ANCESTOR_FIELD[kind]}_id AS unit_id FROM counted" for kind in RESULT_LEVELS  # noqa: S608
    )
    delta = (
        f"counted AS (SELECT t.id AS target_id, u.province_id, u.district_id, u.commune_id"  # noqa: S608
        f" FROM {table_name(DataValue)} dv JOIN {table_name(Target)} t ON t.indicator_id = dv.indicator_id"
        f" JOIN {table_name(UnitPlacement)} u ON u.unit_id = dv.unit_id{placement_on_sql('u.')}"
        " WHERE dv.submission_id = %s AND dv.period = %s AND t.first_year <= %s AND t.last_year >= %s"
        f" AND {_counted_kind_sql('t.counted_kinds', 'u.kind')} AND {has_value}),"
        f" delta AS (SELECT target_id, unit_id, COUNT(*) AS n FROM ({groups}) g WHERE unit_id IS NOT NULL"
        " GROUP BY target_id, unit_id),"
        # The rows to move (one per target, unit and year): as many as the groups when all exist.
        f" present AS (SELECT tr.id, d.n FROM delta d JOIN {table} tr"
        "  ON tr.target_id = d.target_id AND tr.year = %s AND tr.unit_id = d.unit_id)"
    )
    delta_params = [end, end, submission_id, str(year), year, year, *has_value_params, year]
    moved = (
        f"UPDATE {table} SET not_approved = CASE WHEN {table}.not_approved + %s * r.n > 0"  # noqa: S608
        f" THEN {table}.not_approved + %s * r.n ELSE 0 END, computed_at = %s FROM {{rows}} r WHERE {table}.id = r.id"
    )
    moved_params = [change, change, now]
    first_row = None
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            before, before_params, go = ("", [], "") if first is None else (
                f"first AS ({first[0]}), ", first[1], " WHERE (SELECT whole FROM first)",
            )
            cursor.execute(
                f"WITH {before}{delta},"  # noqa: S608
                f" locked AS (SELECT tr.id, p.n FROM present p JOIN {table} tr ON tr.id = p.id{go} FOR UPDATE OF tr SKIP LOCKED),"
                " counts AS (SELECT (SELECT COUNT(*) FROM delta) AS expected, (SELECT COUNT(*) FROM present) AS present,"
                "  (SELECT COUNT(*) FROM locked) AS locked),"
                f" moved AS ({moved.format(rows='locked')} AND (SELECT expected = locked FROM counts) RETURNING 1)"
                f" SELECT expected, present, locked{', first.*' if first else ''} FROM counts{' LEFT JOIN first ON TRUE' if first else ''}",
                before_params + delta_params + moved_params,
            )
            row = cursor.fetchone()
            (expected, present, locked), first_row = row[:3], (row[3:] if first and row[3] is not None else None)
            whole = first is None or (first_row is not None and first_row[1])
        else:  # SQLite: no data-modifying WITH, no row locks (it serialises writers): ask, then move
            if first is not None:
                cursor.execute(*first)
                first_row = cursor.fetchone()
            whole = first is None or (first_row is not None and first_row[1])
            cursor.execute(f"WITH {delta} SELECT (SELECT COUNT(*) FROM delta), (SELECT COUNT(*) FROM present)", delta_params)  # noqa: S608
            expected, present = cursor.fetchone()
            locked = present
            if expected == present and whole:
                cursor.execute(f"WITH {delta} {moved.format(rows='present')}", delta_params + moved_params)
    return bool(whole) and present == locked == expected, first_row
