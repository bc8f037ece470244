"""Writes of the emulation app: guides, sheets, scores and evidence (recomputation: ``recompute``; honours: ``honours``).

Every service runs in a transaction, checks everything before writing, and refuses bad input
with a Vietnamese ``ValidationError`` so that a refusal changes nothing.
"""
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mattran.models import Unit

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
    Mode,
    Score,
    ScoreSheet,
    SheetReopening,
    SheetStatus,
)
from .recompute import guide_changed, scores_ensure, scores_request, sheet_total_of

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
    guide_changed(instance=copy)
    return copy


# Sheets -----------------------------------------------------------------------------------

@transaction.atomic
def sheet_get_or_create(*, guide: EmulationGuide, unit: Unit) -> ScoreSheet:
    """The unit's sheet under ``guide``, with one score per criterion."""
    if unit.kind != guide.scored_kind:
        raise ValidationError(_("Đơn vị %(unit)s không thuộc cấp được chấm theo hướng dẫn này.") % {"unit": unit})
    sheet, _created = ScoreSheet.objects.get_or_create(guide=guide, unit=unit)
    scores_ensure(sheets=[sheet], guide=guide)
    return sheet


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
    sheet.total = sheet_total_of(sheet, scores)
    sheet.band = scoring.classify(sheet.total, list(sheet.guide.bands.all()))


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
    scores_request(year=sheet.guide.year)
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
    scores_request(year=sheet.guide.year)
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
    scores_request(year=sheet.guide.year)
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
    scores_request(year=sheet.guide.year)
    return sheet
