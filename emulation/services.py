"""Writes of the emulation app: guides, sheets, scores, evidence, recomputation, honours.

Every service runs in a transaction, checks everything before writing, and refuses bad input
with a Vietnamese ``ValidationError`` so that a refusal changes nothing.
"""
import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from mattran.models import ANCESTOR_FIELD, Unit, UnitKind
from reports.computation import aggregate_values
from reports.models import ComputationRun, RunStatus, TargetResult

from . import policy, scoring
from .evidence import evidence_validate
from .models import (
    ClassificationBand,
    Cluster,
    Criterion,
    CriterionBand,
    EmulationGuide,
    Evidence,
    LineKind,
    Method,
    Mode,
    Nomination,
    NominationStatus,
    ResultScope,
    Score,
    ScoreSheet,
    SheetReopening,
    SheetStatus,
    Source,
)

RUN_KIND = "emulation"


# Guides -----------------------------------------------------------------------------------

@transaction.atomic
def guide_copy(*, guide: EmulationGuide, year: int) -> EmulationGuide:
    """Copy a guide with its sections, criteria, bands and clusters to ``year``."""
    if EmulationGuide.objects.filter(year=year, scored_kind=guide.scored_kind).exists():
        raise ValidationError(
            _("Năm %(year)s đã có hướng dẫn chấm điểm cho %(kind)s.")
            % {"year": year, "kind": guide.get_scored_kind_display()}
        )
    copy = EmulationGuide.objects.create(
        year=year, scored_kind=guide.scored_kind, title=guide.title.replace(str(guide.year), str(year)),
        max_total=guide.max_total, bonus_cap=guide.bonus_cap, penalty_cap=guide.penalty_cap,
        is_example=guide.is_example, note=guide.note, copied_from=guide,
    )
    for section in guide.sections.prefetch_related("criteria__bands"):
        criteria = list(section.criteria.all())
        section.pk = None
        section.guide = copy
        section.save()
        for criterion in criteria:
            bands = list(criterion.bands.all())
            criterion.pk = None
            criterion.section = section
            criterion.save()
            CriterionBand.objects.bulk_create(
                CriterionBand(criterion=criterion, from_value=b.from_value, points=b.points) for b in bands
            )
    ClassificationBand.objects.bulk_create(
        ClassificationBand(guide=copy, name=b.name, min_total=b.min_total, order=b.order) for b in guide.bands.all()
    )
    for cluster in guide.clusters.prefetch_related("members"):
        Cluster.objects.create(guide=copy, name=cluster.name).members.set(cluster.members.all())
    return copy


# Sheets -----------------------------------------------------------------------------------

def _criterion_range(criterion: Criterion) -> dict:
    return {"min_points": criterion.min_allowed, "max_points": criterion.max_allowed}


@transaction.atomic
def sheet_get_or_create(*, guide: EmulationGuide, unit: Unit) -> ScoreSheet:
    """The unit's sheet under ``guide``, with one score per criterion."""
    if unit.kind != guide.scored_kind:
        raise ValidationError(_("Đơn vị %(unit)s không thuộc cấp được chấm theo hướng dẫn này.") % {"unit": unit})
    sheet, _created = ScoreSheet.objects.get_or_create(guide=guide, unit=unit)
    _scores_ensure(sheets=[sheet], guide=guide)
    return sheet


def _scores_ensure(*, sheets, guide) -> None:
    criteria = list(Criterion.objects.filter(section__guide=guide))
    have = set(Score.objects.filter(sheet__in=sheets).values_list("sheet_id", "criterion_id"))
    Score.objects.bulk_create(
        [
            Score(sheet=sheet, criterion=c, **_criterion_range(c))
            for sheet in sheets
            for c in criteria
            if (sheet.pk, c.pk) not in have
        ],
        ignore_conflicts=True,
    )


def _locked_sheet(sheet: ScoreSheet, version: int | None) -> ScoreSheet:
    locked = ScoreSheet.objects.select_for_update(of=("self",)).select_related("guide", "unit").get(pk=sheet.pk)
    if version is not None and int(version) != locked.version:
        raise ValidationError(
            _("Bảng điểm đã được người khác cập nhật (phiên bản %(now)s, bạn đang sửa phiên bản %(yours)s). "
              "Hãy tải lại trang rồi chấm lại.") % {"now": locked.version, "yours": version}
        )
    return locked


def _refuse_if_final(sheet: ScoreSheet) -> None:
    if sheet.status == SheetStatus.FINAL:
        raise ValidationError(_("Bảng điểm đã có quyết định chính thức; không thể sửa. Hãy mở lại bảng điểm nếu cần."))


def _parse_points(points, criterion: Criterion) -> Decimal:
    try:
        value = Decimal(str(points).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ValidationError(_("Điểm “%(points)s” không phải là số.") % {"points": points}) from None
    if not value.is_finite():
        raise ValidationError(_("Điểm “%(points)s” không phải là số.") % {"points": points})
    if value != value.quantize(scoring.CENT):
        raise ValidationError(_("Điểm chỉ lấy tối đa hai chữ số thập phân."))
    if criterion.kind == LineKind.PENALTY:
        if value > 0:
            raise ValidationError(
                _("Dòng điểm trừ %(code)s chỉ nhận số âm hoặc 0.") % {"code": criterion.code}
            )
        if value < -criterion.max_points:
            raise ValidationError(
                _("Điểm trừ %(points)s vượt quá mức trừ tối đa %(max)s của dòng %(code)s.")
                % {"points": value, "max": criterion.max_points, "code": criterion.code}
            )
        return value
    if value < 0:
        raise ValidationError(
            _("Điểm âm chỉ dùng cho dòng điểm trừ; tiêu chí %(code)s nhận từ 0 đến %(max)s.")
            % {"code": criterion.code, "max": criterion.max_points}
        )
    if value > criterion.max_points:
        raise ValidationError(
            _("Điểm %(points)s vượt quá điểm tối đa %(max)s của tiêu chí %(code)s.")
            % {"points": value, "max": criterion.max_points, "code": criterion.code}
        )
    return value


def _refuse_automatic(criterion: Criterion) -> None:
    if criterion.mode == Mode.AUTOMATIC:
        raise ValidationError(_("Tiêu chí %(code)s được tính tự động, không chấm tay.") % {"code": criterion.code})


def _touch(sheet: ScoreSheet) -> None:
    sheet.version += 1
    _total_refresh(sheet)
    sheet.save()


def _total_refresh(sheet: ScoreSheet) -> None:
    scores = Score.objects.filter(sheet=sheet).select_related("criterion__section")
    sheet.total = _total_of(sheet, scores)
    sheet.band = scoring.classify(sheet.total, list(sheet.guide.bands.all()))


def _total_of(sheet: ScoreSheet, scores) -> Decimal:
    lines = [
        (
            s.criterion.kind, s.criterion.section_id, s.effective_points(sheet.status),
            s.criterion.section.bonus_cap, s.criterion.section.penalty_cap,
        )
        for s in scores
    ]
    return scoring.sheet_total(lines, sheet.guide.bonus_cap, sheet.guide.penalty_cap)


@transaction.atomic
def score_self(*, score: Score, points, by, evidence=(), version: int | None = None) -> Score:
    """The scored unit's own points for a manual line, with optional evidence files."""
    sheet = _locked_sheet(score.sheet, version)
    score = Score.objects.select_related("criterion").get(pk=score.pk)
    if not policy.can_self_score(by, sheet.unit):
        raise ValidationError(_("Bạn không có quyền tự chấm bảng điểm của %(unit)s.") % {"unit": sheet.unit})
    _refuse_if_final(sheet)
    if sheet.status != SheetStatus.DRAFT:
        raise ValidationError(_("Bảng tự chấm đã gửi cấp trên; không thể sửa điểm tự chấm."))
    _refuse_automatic(score.criterion)
    value = _parse_points(points, score.criterion)
    files = [(f, evidence_validate(f)) for f in (evidence or [])]
    score.self_points = value
    score.self_by = by
    score.self_at = timezone.now()
    score.save(update_fields=["self_points", "self_by", "self_at"])
    for file, file_type in files:
        Evidence.objects.create(
            score=score, file=file, original_name=file.name[:255], file_type=file_type, size=file.size, uploaded_by=by
        )
    _touch(sheet)
    _queue_recompute(sheet.guide.year)
    return score


@transaction.atomic
def evidence_add(*, score: Score, file, by, version: int | None = None) -> Evidence:
    """Attach one evidence file to a score while the sheet is not final."""
    sheet = _locked_sheet(score.sheet, version)
    if not (policy.can_self_score(by, sheet.unit) or policy.can_review(by, sheet.unit)):
        raise ValidationError(_("Bạn không có quyền thêm minh chứng cho bảng điểm này."))
    _refuse_if_final(sheet)
    file_type = evidence_validate(file)
    item = Evidence.objects.create(
        score=score, file=file, original_name=file.name[:255], file_type=file_type, size=file.size, uploaded_by=by
    )
    sheet.version += 1
    sheet.save(update_fields=["version"])
    return item


@transaction.atomic
def sheet_submit(*, sheet: ScoreSheet, by, version: int | None = None) -> ScoreSheet:
    """DRAFT → SELF_SCORED: the unit sends its self scores to the level above."""
    sheet = _locked_sheet(sheet, version)
    if not policy.can_self_score(by, sheet.unit):
        raise ValidationError(_("Bạn không có quyền gửi bảng tự chấm của %(unit)s.") % {"unit": sheet.unit})
    _refuse_if_final(sheet)
    if sheet.status != SheetStatus.DRAFT:
        raise ValidationError(_("Bảng tự chấm đã được gửi."))
    missing = sheet.scores.filter(criterion__mode=Mode.MANUAL, criterion__kind=LineKind.NORMAL, self_points__isnull=True)
    if missing.exists():
        codes = ", ".join(missing.values_list("criterion__code", flat=True))
        raise ValidationError(_("Chưa tự chấm các tiêu chí: %(codes)s.") % {"codes": codes})
    sheet.status = SheetStatus.SELF_SCORED
    sheet.self_scored_at = timezone.now()
    sheet.self_scored_by = by
    _touch(sheet)
    return sheet


@transaction.atomic
def score_review(*, score: Score, points, comment: str = "", by, version: int | None = None) -> Score:
    """The reviewer's points and comment on a manual line of a submitted sheet."""
    sheet = _locked_sheet(score.sheet, version)
    score = Score.objects.select_related("criterion").get(pk=score.pk)
    if not policy.can_review(by, sheet.unit):
        raise ValidationError(_("Bạn không có quyền thẩm định bảng điểm của %(unit)s.") % {"unit": sheet.unit})
    _refuse_if_final(sheet)
    if sheet.status == SheetStatus.DRAFT:
        raise ValidationError(_("Đơn vị chưa gửi bảng tự chấm; chưa thể thẩm định."))
    _refuse_automatic(score.criterion)
    value = _parse_points(points, score.criterion)
    score.reviewed_points = value
    score.review_comment = (comment or "").strip()
    score.reviewed_by = by
    score.reviewed_at = timezone.now()
    score.save(update_fields=["reviewed_points", "review_comment", "reviewed_by", "reviewed_at"])
    if sheet.status == SheetStatus.SELF_SCORED:
        sheet.status = SheetStatus.REVIEWED
    sheet.reviewed_at = score.reviewed_at
    sheet.reviewed_by = by
    _touch(sheet)
    _queue_recompute(sheet.guide.year)
    return score


@transaction.atomic
def sheet_finalize(*, sheet: ScoreSheet, by, version: int | None = None) -> ScoreSheet:
    """The final decision: reviewed points (else self points) become final; the sheet locks."""
    sheet = _locked_sheet(sheet, version)
    if not policy.can_review(by, sheet.unit):
        raise ValidationError(_("Bạn không có quyền quyết định bảng điểm của %(unit)s.") % {"unit": sheet.unit})
    _refuse_if_final(sheet)
    if sheet.status == SheetStatus.DRAFT:
        raise ValidationError(_("Đơn vị chưa gửi bảng tự chấm; chưa thể quyết định."))
    scores = list(sheet.scores.select_related("criterion"))
    for score in scores:
        if score.criterion.mode == Mode.MANUAL:
            score.final_points = score.reviewed_points if score.reviewed_points is not None else score.self_points
    Score.objects.bulk_update(scores, ["final_points"])
    sheet.status = SheetStatus.FINAL
    sheet.finalized_at = timezone.now()
    sheet.finalized_by = by
    _touch(sheet)
    _queue_recompute(sheet.guide.year)
    return sheet


@transaction.atomic
def sheet_reopen(*, sheet: ScoreSheet, by, reason: str, version: int | None = None) -> ScoreSheet:
    """Reopen a final sheet for review again; the reopening is recorded with its reason."""
    sheet = _locked_sheet(sheet, version)
    if not policy.can_review(by, sheet.unit):
        raise ValidationError(_("Bạn không có quyền mở lại bảng điểm của %(unit)s.") % {"unit": sheet.unit})
    if sheet.status != SheetStatus.FINAL:
        raise ValidationError(_("Chỉ mở lại được bảng điểm đã có quyết định chính thức."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Hãy ghi lý do mở lại bảng điểm."))
    SheetReopening.objects.create(sheet=sheet, reopened_by=by, reason=reason, previous_total=sheet.total)
    sheet.scores.update(final_points=None)
    sheet.status = SheetStatus.REVIEWED
    sheet.finalized_at = None
    sheet.finalized_by = None
    _touch(sheet)
    _queue_recompute(sheet.guide.year)
    return sheet


# Recomputation ----------------------------------------------------------------------------

def _queue_recompute(year: int) -> None:
    scores_request(year=year)


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


def on_target_results_changed(sender=None, *, year: int, **kwargs) -> None:
    """Receiver of ``reports.signals.target_results_changed``: the scores follow the targets."""
    transaction.on_commit(lambda: scores_request(year=year))


# A queued run that has not started after this long is taken as lost and queued again.
REQUEUE_AFTER = datetime.timedelta(minutes=10)


def dirty_years_requeue() -> list[int]:
    """The beat's safety net: queue again every dirty year whose run is not queued, or lost."""
    from mattran.queue import enqueue

    from .tasks import recompute_scores

    now = timezone.now()
    runs = ComputationRun.objects.filter(kind=RUN_KIND, dirty=True).filter(
        Q(last_enqueued_at__isnull=True) | Q(last_enqueued_at__lt=now - REQUEUE_AFTER)
    )
    years = list(runs.order_by("year").values_list("year", flat=True))
    ComputationRun.objects.filter(kind=RUN_KIND, year__in=years).update(last_enqueued_at=now)
    for year in years:
        enqueue(recompute_scores, year)
    return years


def _target_figures(criterion: Criterion, guide: EmulationGuide, unit_ids: list[int], year: int) -> dict:
    """unit id → (numerator, denominator, percent) of the criterion's target for each scored unit.

    SUBORDINATE sums the rows of the scored unit's subordinate units of the chosen kind, so a
    district's "communes rated Vững mạnh" share leaves out the district's own rating.
    """
    results = TargetResult.objects.filter(target=criterion.target, year=year)
    if criterion.result_scope == ResultScope.SUBORDINATE:
        ancestor = ANCESTOR_FIELD[guide.scored_kind]
        rows = (
            results.filter(unit__kind=criterion.subordinate_kind, **{f"unit__{ancestor}_id__in": unit_ids})
            .exclude(unit__kind=guide.scored_kind)
            .values(f"unit__{ancestor}_id")
            .annotate(num=Sum("numerator"), den=Sum("denominator"))
        )
        return {
            r[f"unit__{ancestor}_id"]: (r["num"], r["den"], scoring.percent_of(r["num"], r["den"])) for r in rows
        }
    rows = results.filter(unit_id__in=unit_ids).values_list("unit_id", "numerator", "denominator", "percent")
    return {
        unit_id: (num, den, percent if percent is not None else scoring.percent_of(num, den))
        for unit_id, num, den, percent in rows
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
        num, den, percent = figures.get(unit_id, (0, 0, None))
        if not den or percent is None:
            out[unit_id] = (scoring.ZERO, _("Chưa có kết quả chỉ tiêu"))
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
    _scores_ensure(sheets=sheets, guide=guide)
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
        sheet.total = _total_of(sheet, by_sheet[sheet.pk])
        sheet.band = scoring.classify(sheet.total, bands)
        sheet.newer_total = None
        if sheet.pk in final_ids:
            for score in by_sheet[sheet.pk]:
                if score.pk in fresh:
                    score.auto_points = fresh[score.pk][0]
            newer = _total_of(sheet, by_sheet[sheet.pk])
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


# Honours ----------------------------------------------------------------------------------

@transaction.atomic
def nomination_create(*, title: str, year: int, person_name: str, unit: Unit, reason: str, by) -> Nomination:
    """A district proposes a person of one of its units for an honour."""
    if not policy.can_nominate(by):
        raise ValidationError(_("Chỉ Ủy ban MTTQ cấp huyện được đề nghị danh hiệu."))
    person_name = (person_name or "").strip()
    reason = (reason or "").strip()
    if not person_name or not reason:
        raise ValidationError(_("Hãy ghi họ tên và thành tích, lý do đề nghị."))
    if unit.kind == UnitKind.PROVINCE or unit.district_id is None:
        raise ValidationError(_("Chọn đơn vị cấp huyện, xã hoặc khu dân cư của người được đề nghị."))
    officer = getattr(by, "officer", None)
    if officer is not None and not unit.is_within(officer.unit):
        raise ValidationError(_("Đơn vị %(unit)s không thuộc phạm vi của bạn.") % {"unit": unit})
    if Nomination.objects.filter(title=title, year=year, person_name__iexact=person_name, unit=unit).exists():
        raise ValidationError(_("%(name)s đã được đề nghị danh hiệu này trong năm %(year)s.") % {"name": person_name, "year": year})
    return Nomination.objects.create(
        title=title, year=year, person_name=person_name, unit=unit, nominated_by_id=unit.district_id,
        reason=reason, created_by=by,
    )


@transaction.atomic
def nomination_decide(
    *, nomination: Nomination, approve: bool, decided_on: datetime.date, note: str = "", by
) -> Nomination:
    """The province approves or declines a nomination, with the decision date."""
    nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
    if not policy.can_decide_nominations(by):
        raise ValidationError(_("Chỉ Ban Thường trực Ủy ban MTTQ tỉnh quyết định danh hiệu."))
    if nomination.status != NominationStatus.PROPOSED:
        raise ValidationError(_("Đề nghị này đã có quyết định."))
    if decided_on is None:
        raise ValidationError(_("Hãy ghi ngày quyết định."))
    nomination.status = NominationStatus.APPROVED if approve else NominationStatus.DECLINED
    nomination.decided_on = decided_on
    nomination.decision_note = (note or "").strip()
    nomination.decided_by = by
    nomination.save()
    return nomination

