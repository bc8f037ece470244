"""Scores follow the data: automatic points, totals, bands and ranks of a year, recomputed in the
background whenever targets, guides or sheets change (a run record per year, as for the targets)."""
import datetime
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mattran.models import ANCESTOR_FIELD, Unit, UnitPlacement
from programs import target_rules
from reports.models import ComputationRun, RunStatus, TargetResult
from reports.targets.selectors import aggregate_values

from . import scoring
from .models import (
    Cluster,
    Criterion,
    EmulationGuide,
    Method,
    Mode,
    ResultScope,
    Score,
    ScoreSheet,
    SheetStatus,
    Source,
)

RUN_KIND = "emulation"


def criterion_range(criterion: Criterion) -> dict:
    return {"min_points": criterion.min_allowed, "max_points": criterion.max_allowed}


def scores_ensure(*, sheets, guide) -> None:
    criteria = list(Criterion.objects.filter(section__guide=guide))
    have = set(Score.objects.filter(sheet__in=sheets).values_list("sheet_id", "criterion_id"))
    Score.objects.bulk_create(
        [
            Score(sheet=sheet, criterion=c, **criterion_range(c))
            for sheet in sheets
            for c in criteria
            if (sheet.pk, c.pk) not in have
        ],
        ignore_conflicts=True,
    )


def sheet_total_of(sheet: ScoreSheet, scores) -> Decimal:
    lines = [
        (
            s.criterion.kind, s.criterion.section_id, s.effective_points(sheet.status),
            s.criterion.section.bonus_cap, s.criterion.section.penalty_cap,
        )
        for s in scores
    ]
    return scoring.sheet_total(lines, sheet.guide.bonus_cap, sheet.guide.penalty_cap)


def scores_request(*, year: int) -> bool:
    """Something the scores of ``year`` depend on changed: mark the year's scores dirty and queue
    one recomputation after commit, unless one is already queued and not yet started (returns
    whether one was queued). A queued run clears the mark when it starts, so a change made while
    it runs queues the next one."""
    from mattran.queue import enqueue

    from .tasks import recompute_scores

    year = int(year)
    now = timezone.now()
    run, _created = ComputationRun.objects.get_or_create(kind=RUN_KIND, year=year)
    ComputationRun.objects.filter(pk=run.pk, dirty=False).update(dirty=True, dirty_since=now)
    if not ComputationRun.objects.filter(pk=run.pk, last_enqueued_at__isnull=True).update(last_enqueued_at=now):
        return False
    enqueue(recompute_scores, year)
    return True


def guide_changed(*, instance) -> None:
    """A guide, or a section, criterion or cluster of one, was saved or deleted in the admin: the
    year's sheets (one for every scored unit) are created and scored after commit."""
    year = guide_year(instance)
    if year is not None:
        scores_request_after_commit(year=year)


def scores_request_after_commit(*, year: int) -> None:
    transaction.on_commit(lambda: scores_request(year=year))


def guide_year(instance) -> int | None:
    for path in ("year", "guide.year", "section.guide.year", "criterion.section.guide.year"):
        value = instance
        try:
            for name in path.split("."):
                value = getattr(value, name)
        except (AttributeError, ObjectDoesNotExist):
            continue
        return value
    return None


def on_target_results_changed(sender=None, *, year: int, **kwargs) -> None:
    """Receiver of ``reports.signals.target_results_changed``: the scores follow the targets."""
    scores_request_after_commit(year=year)


# A queued run that has not started after this long is taken as lost and queued again.
REQUEUE_AFTER = datetime.timedelta(minutes=10)


def dirty_years_requeue() -> list[int]:
    """The beat's safety net: queue again every dirty year whose run is not queued, or lost."""
    from mattran.queue import enqueue

    from .tasks import recompute_scores

    years = ComputationRun.objects.claim_dirty_years(kind=RUN_KIND, lost_after=REQUEUE_AFTER)
    for year in years:
        enqueue(recompute_scores, year)
    return years


def _target_figures(criterion: Criterion, guide: EmulationGuide, unit_ids: list[int], year: int) -> dict:
    """unit id → (numerator, denominator, percent, units not reported) of the criterion's target per scored unit.

    SUBORDINATE sums the rows of the scored unit's subordinate units of the chosen kind, so a
    district's "communes rated Vững mạnh" share leaves out the district's own rating.
    """
    results = TargetResult.objects.filter(target=criterion.target, year=year)
    if criterion.result_scope == ResultScope.SUBORDINATE:
        # The subordinates on the tree of the year (31 December), not today's: a commune moved
        # to another district later still counts for the district it belonged to that year.
        ancestor = ANCESTOR_FIELD[guide.scored_kind]
        placed = (
            UnitPlacement.objects.on(datetime.date(year, 12, 31))
            .filter(kind=criterion.subordinate_kind, **{f"{ancestor}_id__in": unit_ids})
            .exclude(kind=guide.scored_kind)
        )
        scored_by = dict(placed.values_list("unit_id", f"{ancestor}_id"))
        sums: dict[int, list[int]] = {}
        for unit_id, num, den, silent in results.filter(unit_id__in=list(scored_by)).values_list(
            "unit_id", "numerator", "denominator", "not_reported",
        ):
            total = sums.setdefault(scored_by[unit_id], [0, 0, 0])
            total[0], total[1], total[2] = total[0] + num, total[1] + den, total[2] + silent
        return {
            unit_id: (num, den, target_rules.percent_of(num, den), silent) for unit_id, (num, den, silent) in sums.items()
        }
    rows = results.filter(unit_id__in=unit_ids).values_list(
        "unit_id", "numerator", "denominator", "percent", "not_reported",
    )
    return {
        unit_id: (num, den, percent if percent is not None else target_rules.percent_of(num, den), silent)
        for unit_id, num, den, percent, silent in rows
    }


def _automatic_points(criterion: Criterion, guide: EmulationGuide, unit_ids: list[int], year: int) -> dict:
    """unit id → (points, detail) for an automatic criterion; missing data gives 0 points."""
    bands = [(b.from_value, b.points) for b in criterion.bands.all()]
    out = {}
    if criterion.source == Source.INDICATOR:
        values = {
            unit_id: value
            for (_i, unit_id, _p), value in aggregate_values([criterion.indicator_id], unit_ids, [year]).items()
        }
        for unit_id in unit_ids:
            value = values.get(unit_id)
            if value is None:
                out[unit_id] = (scoring.ZERO, _("Chưa có số liệu"))
            else:
                out[unit_id] = (scoring.band_points(value, bands, criterion.max_points), _("Giá trị: %(v)s") % {"v": value})
        return out
    target = criterion.target
    figures = _target_figures(criterion, guide, unit_ids, year)
    for unit_id in unit_ids:
        num, den, percent, silent = figures.get(unit_id, (0, 0, None, 0))
        if not den or percent is None:
            out[unit_id] = (scoring.ZERO, _("Chưa có kết quả chỉ tiêu"))
            continue
        if (silent or 0) >= den:
            # Nobody under the unit reported: "0/97 = 0%" would read as a result (TargetResult.nothing_reported).
            out[unit_id] = (scoring.ZERO, _("Chưa báo cáo (%(den)s đơn vị chưa có số liệu)") % {"den": den})
            continue
        if criterion.method == Method.FULL:
            points = criterion.max_points if target.meets(num, den) else scoring.ZERO
        elif criterion.method == Method.PROPORTIONAL:
            points = scoring.proportional_points(criterion.max_points, percent, target.threshold_percent)
        else:
            points = scoring.band_points(percent, bands, criterion.max_points)
        out[unit_id] = (scoring.round_points(points), f"{num}/{den} = {percent:.2f}%".replace(".", ","))
    return out


def _score_ranges_sync(guide: EmulationGuide) -> None:
    """Follow a criterion's changed maximum on its scores whose points still fit the new range."""
    for criterion in Criterion.objects.filter(section__guide=guide):
        low, high = criterion.min_allowed, criterion.max_allowed
        fits = Q()
        for field in ("self_points", "reviewed_points", "final_points", "auto_points"):
            fits &= Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": low, f"{field}__lte": high})
        Score.objects.filter(criterion=criterion).exclude(min_points=low, max_points=high).filter(fits).update(
            min_points=low, max_points=high
        )


def _guide_recompute(guide: EmulationGuide, now) -> int:
    year = guide.year
    units = list(Unit.objects.filter(kind=guide.scored_kind).active_on(datetime.date(year, 12, 31)))
    ScoreSheet.objects.bulk_create([ScoreSheet(guide=guide, unit=u) for u in units], ignore_conflicts=True)
    sheets = list(ScoreSheet.objects.filter(guide=guide).select_related("guide"))
    scores_ensure(sheets=sheets, guide=guide)
    _score_ranges_sync(guide)
    unit_ids = [s.unit_id for s in sheets]
    final_ids = {s.pk for s in sheets if s.status == SheetStatus.FINAL}

    # Automatic points of every sheet, each criterion one set of queries over all scored units.
    # A FINAL sheet's stored points stay as decided; its fresh points only tell what it would get now.
    fresh: dict[int, tuple] = {}
    automatic = Criterion.objects.filter(section__guide=guide, mode=Mode.AUTOMATIC).select_related("target")
    for criterion in automatic.prefetch_related("bands"):
        points = _automatic_points(criterion, guide, unit_ids, year)
        scores = list(Score.objects.filter(criterion=criterion, sheet__guide=guide).select_related("sheet"))
        for score in scores:
            fresh[score.pk] = points[score.sheet.unit_id]
            if score.sheet_id not in final_ids:
                score.auto_points, score.auto_detail = fresh[score.pk]
        Score.objects.bulk_update([s for s in scores if s.sheet_id not in final_ids], ["auto_points", "auto_detail"])

    by_sheet: dict[int, list] = {s.pk: [] for s in sheets}
    for score in Score.objects.filter(sheet__guide=guide).select_related("criterion__section"):
        by_sheet[score.sheet_id].append(score)
    bands = list(guide.bands.all())
    cluster_of = {
        unit_id: cluster_id
        for cluster_id, unit_id in Cluster.members.through.objects.filter(cluster__guide=guide).values_list(
            "cluster_id", "unit_id"
        )
    }
    for sheet in sheets:
        sheet.total = sheet_total_of(sheet, by_sheet[sheet.pk])
        sheet.band = scoring.classify(sheet.total, bands)
        sheet.newer_total = None
        if sheet.pk in final_ids:
            for score in by_sheet[sheet.pk]:
                if score.pk in fresh:
                    score.auto_points = fresh[score.pk][0]
            newer = sheet_total_of(sheet, by_sheet[sheet.pk])
            sheet.newer_total = newer if newer != sheet.total else None
        sheet.cluster_id = cluster_of.get(sheet.unit_id)
        sheet.computed_at = now
    province_ranks = scoring.competition_ranks({s.pk: s.total for s in sheets})
    cluster_totals: dict = {}
    for sheet in sheets:
        if sheet.cluster_id:
            cluster_totals.setdefault(sheet.cluster_id, {})[sheet.pk] = sheet.total
    cluster_ranks = {}
    for totals in cluster_totals.values():
        cluster_ranks.update(scoring.competition_ranks(totals))
    for sheet in sheets:
        sheet.rank_in_province = province_ranks[sheet.pk]
        sheet.rank_in_cluster = cluster_ranks.get(sheet.pk)
    ScoreSheet.objects.bulk_update(
        sheets, ["total", "band", "cluster", "rank_in_province", "rank_in_cluster", "computed_at", "newer_total"]
    )
    return len(sheets)


SCORES_LOCK = 4243  # advisory-lock namespace of a year's scores (the targets' full runs use 4242)


def _year_lock(year: int) -> None:
    """One recomputation of a year's scores at a time, until the transaction ends: two at once
    (two workers, or inline runs of concurrent requests) update the same score rows in different
    orders and deadlock. SQLite serialises writers by itself."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [SCORES_LOCK, year])


def scores_recompute(*, year: int) -> int:
    """Automatic points, totals, bands and ranks of every guide of ``year``; safe to repeat.

    Sheets are created for every unit the guides score. Final sheets keep their decided points
    and total (they show what newer data would give) and take part in the ranking. A change made
    while this runs keeps the year dirty, and queues the next run. Returns the number of sheets.
    """
    now = timezone.now()
    run, _created = ComputationRun.objects.get_or_create(kind=RUN_KIND, year=year)
    ComputationRun.objects.filter(pk=run.pk).update(
        status=RunStatus.STARTED, started_at=now, error="", last_enqueued_at=None,
    )
    try:
        with transaction.atomic():
            _year_lock(year)
            count = sum(_guide_recompute(guide, now) for guide in EmulationGuide.objects.filter(year=year))
    except Exception as error:
        ComputationRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, error=str(error)[:2000])
        raise
    ComputationRun.objects.filter(pk=run.pk).update(
        status=RunStatus.DONE, finished_at=timezone.now(), progress=count, total=count,
    )
    ComputationRun.objects.filter(pk=run.pk).filter(Q(dirty_since__lte=now) | Q(dirty_since__isnull=True)).update(
        dirty=False, dirty_since=None,
    )
    return count
