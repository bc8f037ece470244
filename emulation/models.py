"""Emulation scoring (chấm điểm thi đua): yearly guides, score sheets and honours.

A guide is configuration: sections, criteria (normal, bonus or penalty lines), classification
bands and clusters, all editable in admin and copied from year to year. A sheet holds one
unit's scores for one guide; totals, bands and ranks are computed by ``services``.
"""
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from mattran.models import Unit, UnitKind
from programs.models import Indicator, Target, WorkProgram


class ScoredKind(models.TextChoices):
    DISTRICT = UnitKind.DISTRICT.value, _("Ủy ban MTTQ cấp huyện")
    COMMUNE = UnitKind.COMMUNE.value, _("Ủy ban MTTQ cấp xã")


class EmulationGuide(models.Model):
    """Hướng dẫn chấm điểm thi đua: one per year and scored level."""

    year = models.PositiveSmallIntegerField(_("năm"))
    scored_kind = models.CharField(_("cấp được chấm"), max_length=10, choices=ScoredKind.choices)
    title = models.CharField(_("tên hướng dẫn"), max_length=300)
    max_total = models.DecimalField(_("tổng điểm tối đa"), max_digits=6, decimal_places=2, default=Decimal("100"))
    bonus_cap = models.DecimalField(
        _("trần điểm thưởng toàn bảng"), max_digits=6, decimal_places=2, null=True, blank=True,
        help_text=_("Để trống nếu không giới hạn chung."),
    )
    penalty_cap = models.DecimalField(
        _("trần điểm trừ toàn bảng"), max_digits=6, decimal_places=2, null=True, blank=True,
        help_text=_("Số dương: tổng điểm trừ không vượt quá mức này."),
    )
    is_example = models.BooleanField(
        _("mẫu tham khảo"), default=False,
        help_text=_("Bảng mẫu có thể chỉnh sửa, không phải văn bản chính thức."),
    )
    note = models.TextField(_("ghi chú"), blank=True)
    copied_from = models.ForeignKey(
        "self", verbose_name=_("sao chép từ"), null=True, blank=True, on_delete=models.SET_NULL, related_name="copies"
    )

    class Meta:
        verbose_name = _("hướng dẫn chấm điểm thi đua")
        verbose_name_plural = _("hướng dẫn chấm điểm thi đua")
        ordering = ["-year", "scored_kind"]
        constraints = [
            models.UniqueConstraint(fields=["year", "scored_kind"], name="emulation_guide_unique"),
            models.CheckConstraint(condition=Q(max_total__gt=0), name="emulation_guide_max_positive"),
            models.CheckConstraint(
                condition=Q(bonus_cap__isnull=True) | Q(bonus_cap__gte=0), name="emulation_guide_bonus_cap_positive"
            ),
            models.CheckConstraint(
                condition=Q(penalty_cap__isnull=True) | Q(penalty_cap__gte=0), name="emulation_guide_penalty_cap_positive"
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.year})"


class Section(models.Model):
    """A part of a guide, by default one per work program."""

    guide = models.ForeignKey(EmulationGuide, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    title = models.CharField(_("tên phần"), max_length=300)
    program = models.ForeignKey(
        WorkProgram, verbose_name=_("chương trình công tác"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    bonus_cap = models.DecimalField(_("trần điểm thưởng của phần"), max_digits=6, decimal_places=2, null=True, blank=True)
    penalty_cap = models.DecimalField(
        _("trần điểm trừ của phần"), max_digits=6, decimal_places=2, null=True, blank=True,
        help_text=_("Số dương: tổng điểm trừ của phần không vượt quá mức này."),
    )

    class Meta:
        verbose_name = _("phần")
        verbose_name_plural = _("phần")
        ordering = ["guide", "order"]
        constraints = [
            models.UniqueConstraint(fields=["guide", "order"], name="emulation_section_order_unique"),
            models.CheckConstraint(condition=Q(bonus_cap__isnull=True) | Q(bonus_cap__gte=0), name="emulation_section_bonus_cap"),
            models.CheckConstraint(
                condition=Q(penalty_cap__isnull=True) | Q(penalty_cap__gte=0), name="emulation_section_penalty_cap"
            ),
        ]

    def __str__(self):
        return f"{self.order}. {self.title}"


class LineKind(models.TextChoices):
    NORMAL = "NORMAL", _("Tiêu chí")
    BONUS = "BONUS", _("Điểm thưởng")
    PENALTY = "PENALTY", _("Điểm trừ")


class Mode(models.TextChoices):
    MANUAL = "MANUAL", _("Chấm tay")
    AUTOMATIC = "AUTOMATIC", _("Tự động")


class Source(models.TextChoices):
    TARGET = "TARGET", _("Kết quả chỉ tiêu")
    INDICATOR = "INDICATOR", _("Giá trị chỉ số trong năm")


class Method(models.TextChoices):
    FULL = "FULL", _("Đủ điểm khi đạt")
    PROPORTIONAL = "PROPORTIONAL", _("Theo tỷ lệ: tối đa × min(1, tỷ lệ ÷ ngưỡng)")
    BANDS = "BANDS", _("Theo khung")


class ResultScope(models.TextChoices):
    SUBTREE = "SUBTREE", _("Kết quả chỉ tiêu của đơn vị (các đơn vị cấp dưới được tính)")
    SUBORDINATE = "SUBORDINATE", _("Cộng kết quả của các đơn vị cấp dưới thuộc cấp đã chọn")


# The kinds below each scored kind whose own target results may be summed.
SUBORDINATE_KINDS = {
    UnitKind.DISTRICT: (UnitKind.COMMUNE, UnitKind.AREA),
    UnitKind.COMMUNE: (UnitKind.AREA,),
}


class Criterion(models.Model):
    """A line of a guide: a criterion with maximum points, or a bonus or penalty line.

    Points of a penalty line are between −max and 0; of the others between 0 and max.
    An automatic criterion reads target results or yearly indicator values; it never reads the
    scored unit's own rating (SUBTREE is refused when the target counts the scored level).
    """

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="criteria")
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    code = models.CharField(_("mã"), max_length=20)
    text = models.TextField(_("nội dung"))
    max_points = models.DecimalField(_("điểm tối đa"), max_digits=6, decimal_places=2)
    kind = models.CharField(_("loại dòng"), max_length=10, choices=LineKind.choices, default=LineKind.NORMAL)
    mode = models.CharField(_("cách chấm"), max_length=10, choices=Mode.choices, default=Mode.MANUAL)
    source = models.CharField(_("nguồn tự động"), max_length=10, choices=Source.choices, blank=True)
    target = models.ForeignKey(
        Target, verbose_name=_("chỉ tiêu"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    result_scope = models.CharField(
        _("phạm vi kết quả"), max_length=12, choices=ResultScope.choices, default=ResultScope.SUBTREE
    )
    subordinate_kind = models.CharField(_("cấp dưới được cộng"), max_length=10, choices=UnitKind.choices, blank=True)
    method = models.CharField(_("cách quy điểm"), max_length=12, choices=Method.choices, blank=True)
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("chỉ số"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("tiêu chí")
        verbose_name_plural = _("tiêu chí")
        ordering = ["section__order", "order"]
        constraints = [
            models.UniqueConstraint(fields=["section", "order"], name="emulation_criterion_order_unique"),
            models.CheckConstraint(condition=Q(max_points__gt=0), name="emulation_criterion_max_positive"),
            models.CheckConstraint(
                condition=Q(mode="MANUAL") | Q(kind="NORMAL"), name="emulation_criterion_adjustments_manual"
            ),
            models.CheckConstraint(
                condition=Q(mode="MANUAL") | Q(source="TARGET", target__isnull=False) | Q(source="INDICATOR", indicator__isnull=False),
                name="emulation_criterion_automatic_has_source",
            ),
        ]

    def __str__(self):
        return f"{self.code}. {self.text[:60]}"

    @property
    def is_automatic(self) -> bool:
        return self.mode == Mode.AUTOMATIC

    @property
    def min_allowed(self) -> Decimal:
        return -self.max_points if self.kind == LineKind.PENALTY else Decimal("0")

    @property
    def max_allowed(self) -> Decimal:
        return Decimal("0") if self.kind == LineKind.PENALTY else self.max_points

    def clean(self):
        errors = {}
        if self.mode == Mode.AUTOMATIC:
            if self.kind != LineKind.NORMAL:
                errors["mode"] = _("Điểm thưởng và điểm trừ chỉ chấm tay.")
            if self.source == Source.TARGET:
                if not self.target_id:
                    errors["target"] = _("Tiêu chí tự động theo chỉ tiêu cần chọn chỉ tiêu.")
                if not self.method:
                    errors["method"] = _("Chọn cách quy điểm.")
                scored_kind = self.section.guide.scored_kind if self.section_id else None
                if (
                    self.target_id and scored_kind and self.result_scope == ResultScope.SUBTREE
                    and scored_kind in (self.target.counted_kinds or [])
                ):
                    errors["result_scope"] = _(
                        "Chỉ tiêu này tính cả chính cấp được chấm; hãy chọn “Cộng kết quả của các đơn vị cấp dưới” "
                        "để xếp loại của chính đơn vị không được tính vào điểm của nó."
                    )
                if self.result_scope == ResultScope.SUBORDINATE and scored_kind and (
                    self.subordinate_kind not in SUBORDINATE_KINDS.get(scored_kind, ())
                ):
                    errors["subordinate_kind"] = _("Chọn một cấp dưới của cấp được chấm để cộng kết quả.")
            elif self.source == Source.INDICATOR:
                if not self.indicator_id:
                    errors["indicator"] = _("Tiêu chí tự động theo chỉ số cần chọn chỉ số.")
            else:
                errors["source"] = _("Tiêu chí tự động cần có nguồn.")
        if errors:
            raise ValidationError(errors)


class CriterionBand(models.Model):
    """A band of an automatic criterion: from this value (percent or indicator value) on, these points."""

    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="bands")
    from_value = models.DecimalField(_("từ giá trị"), max_digits=16, decimal_places=2)
    points = models.DecimalField(_("điểm"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("khung điểm")
        verbose_name_plural = _("khung điểm")
        ordering = ["criterion", "from_value"]
        constraints = [
            models.UniqueConstraint(fields=["criterion", "from_value"], name="emulation_band_unique"),
            models.CheckConstraint(condition=Q(points__gte=0), name="emulation_band_points_positive"),
        ]

    def __str__(self):
        return f"≥ {self.from_value}: {self.points}"


class ClassificationBand(models.Model):
    """Xếp loại: a total of at least ``min_total`` earns this band."""

    guide = models.ForeignKey(EmulationGuide, on_delete=models.CASCADE, related_name="bands")
    name = models.CharField(_("xếp loại"), max_length=60)
    min_total = models.DecimalField(_("từ tổng điểm"), max_digits=6, decimal_places=2)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("mức xếp loại thi đua")
        verbose_name_plural = _("mức xếp loại thi đua")
        ordering = ["guide", "-min_total"]
        constraints = [
            models.UniqueConstraint(fields=["guide", "name"], name="emulation_classification_name_unique"),
            models.UniqueConstraint(fields=["guide", "min_total"], name="emulation_classification_min_unique"),
            models.CheckConstraint(condition=Q(min_total__gte=0), name="emulation_classification_min_positive"),
        ]

    def __str__(self):
        return self.name

    @property
    def badge_class(self) -> str:
        """A Bootstrap badge colour by rank among the guide's bands (1 = best)."""
        return {1: "text-bg-success", 2: "text-bg-primary", 3: "text-bg-info", 4: "text-bg-warning"}.get(
            self.order, "text-bg-danger"
        )


class Cluster(models.Model):
    """Cụm thi đua: scored units ranked together."""

    guide = models.ForeignKey(EmulationGuide, on_delete=models.CASCADE, related_name="clusters")
    name = models.CharField(_("tên cụm"), max_length=200)
    members = models.ManyToManyField(Unit, verbose_name=_("đơn vị"), related_name="emulation_clusters", blank=True)

    class Meta:
        verbose_name = _("cụm thi đua")
        verbose_name_plural = _("cụm thi đua")
        ordering = ["guide", "name"]
        constraints = [models.UniqueConstraint(fields=["guide", "name"], name="emulation_cluster_unique")]

    def __str__(self):
        return self.name


class SheetStatus(models.TextChoices):
    DRAFT = "DRAFT", _("Đang tự chấm")
    SELF_SCORED = "SELF_SCORED", _("Đã tự chấm")
    REVIEWED = "REVIEWED", _("Đã thẩm định")
    FINAL = "FINAL", _("Đã quyết định")


class ScoreSheet(models.Model):
    """Bảng chấm điểm of one unit under one guide."""

    guide = models.ForeignKey(EmulationGuide, verbose_name=_("hướng dẫn"), on_delete=models.PROTECT, related_name="sheets")
    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="emulation_sheets")
    status = models.CharField(_("trạng thái"), max_length=12, choices=SheetStatus.choices, default=SheetStatus.DRAFT)
    total = models.DecimalField(_("tổng điểm"), max_digits=7, decimal_places=2, default=Decimal("0"))
    band = models.ForeignKey(
        ClassificationBand, verbose_name=_("xếp loại"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cluster = models.ForeignKey(
        Cluster, verbose_name=_("cụm thi đua"), null=True, blank=True, on_delete=models.SET_NULL, related_name="sheets"
    )
    rank_in_cluster = models.PositiveIntegerField(_("hạng trong cụm"), null=True, blank=True)
    rank_in_province = models.PositiveIntegerField(_("hạng toàn tỉnh"), null=True, blank=True)
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    self_scored_at = models.DateTimeField(_("tự chấm lúc"), null=True, blank=True)
    self_scored_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(_("thẩm định lúc"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    finalized_at = models.DateTimeField(_("quyết định lúc"), null=True, blank=True)
    finalized_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    computed_at = models.DateTimeField(_("tính lúc"), null=True, blank=True)
    # A FINAL sheet keeps its decided total; this is what the newer data would give, when it differs.
    newer_total = models.DecimalField(_("tổng điểm theo số liệu mới"), max_digits=7, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("bảng chấm điểm")
        verbose_name_plural = _("bảng chấm điểm")
        ordering = ["guide", "rank_in_province", "unit__code"]
        constraints = [models.UniqueConstraint(fields=["guide", "unit"], name="emulation_sheet_unique")]

    def __str__(self):
        return f"{self.unit} · {self.guide.year}"

    @property
    def is_final(self) -> bool:
        return self.status == SheetStatus.FINAL


class Score(models.Model):
    """One criterion on one sheet: self, reviewed, final and automatic points.

    ``min_points``/``max_points`` copy the criterion's range so the database enforces it.
    """

    sheet = models.ForeignKey(ScoreSheet, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, verbose_name=_("tiêu chí"), on_delete=models.PROTECT, related_name="scores")
    min_points = models.DecimalField(max_digits=6, decimal_places=2, default=Decimal("0"), editable=False)
    max_points = models.DecimalField(max_digits=6, decimal_places=2, editable=False)
    self_points = models.DecimalField(_("điểm tự chấm"), max_digits=6, decimal_places=2, null=True, blank=True)
    self_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    self_at = models.DateTimeField(null=True, blank=True)
    reviewed_points = models.DecimalField(_("điểm thẩm định"), max_digits=6, decimal_places=2, null=True, blank=True)
    review_comment = models.TextField(_("nhận xét thẩm định"), blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    final_points = models.DecimalField(_("điểm chính thức"), max_digits=6, decimal_places=2, null=True, blank=True)
    auto_points = models.DecimalField(_("điểm tự động"), max_digits=6, decimal_places=2, null=True, blank=True)
    auto_detail = models.CharField(_("căn cứ tính tự động"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("điểm")
        verbose_name_plural = _("điểm")
        ordering = ["sheet", "criterion__section__order", "criterion__order"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "criterion"], name="emulation_score_unique"),
            models.CheckConstraint(condition=Q(min_points__lte=0) & Q(max_points__gte=0), name="emulation_score_range"),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{field}__isnull": True})
                    | (Q(**{f"{field}__gte": F("min_points")}) & Q(**{f"{field}__lte": F("max_points")})),
                    name=f"emulation_score_{field}_in_range",
                )
                for field in ("self_points", "reviewed_points", "final_points", "auto_points")
            ],
        ]

    def __str__(self):
        return f"{self.sheet} · {self.criterion.code}"

    @property
    def difference(self):
        """Self minus reviewed points, when both are given."""
        if self.self_points is None or self.reviewed_points is None:
            return None
        return self.self_points - self.reviewed_points

    def effective_points(self, status: str) -> Decimal:
        """The points that count: automatic, else final, reviewed, self, else nothing."""
        if self.criterion.is_automatic:
            return self.auto_points or Decimal("0")
        if status == SheetStatus.FINAL and self.final_points is not None:
            return self.final_points
        for value in (self.reviewed_points, self.self_points):
            if value is not None:
                return value
        return Decimal("0")


def evidence_path(instance, filename):
    return f"thi-dua/{instance.score.sheet.guide.year}/{instance.score.sheet.unit.code}/{filename}"


class Evidence(models.Model):
    """Minh chứng: a file attached to a score (pdf, jpg, png, docx, xlsx; at most 10 MB)."""

    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("tệp"), upload_to=evidence_path)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    file_type = models.CharField(_("loại tệp"), max_length=10)
    size = models.PositiveIntegerField(_("dung lượng"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("tải lên lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("minh chứng")
        verbose_name_plural = _("minh chứng")
        ordering = ["uploaded_at"]
        constraints = [models.CheckConstraint(condition=Q(size__lte=10 * 1024 * 1024), name="emulation_evidence_size")]

    def __str__(self):
        return self.original_name


class SheetReopening(models.Model):
    """A record that a final sheet was reopened, by whom and why."""

    sheet = models.ForeignKey(ScoreSheet, on_delete=models.CASCADE, related_name="reopenings")
    reopened_at = models.DateTimeField(_("mở lại lúc"), auto_now_add=True)
    reopened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("lý do"))
    previous_total = models.DecimalField(_("tổng điểm trước khi mở lại"), max_digits=7, decimal_places=2)

    class Meta:
        verbose_name = _("lần mở lại bảng điểm")
        verbose_name_plural = _("lần mở lại bảng điểm")
        ordering = ["-reopened_at"]

    def __str__(self):
        return f"{self.sheet} · {self.reopened_at:%d/%m/%Y}"


class HonourTitle(models.TextChoices):
    COMMUNITY_EXAMPLE = "GUONG_SANG", _("Gương sáng vì cộng đồng")
    MODEL_BCTMT_HEAD = "TRUONG_BCTMT", _("Trưởng Ban công tác Mặt trận tiêu biểu")
    MODEL_COMMUNE_CHAIR = "CHU_TICH_XA", _("Chủ tịch Ủy ban MTTQ cấp xã tiêu biểu")


class NominationStatus(models.TextChoices):
    PROPOSED = "PROPOSED", _("Đề nghị")
    APPROVED = "APPROVED", _("Được công nhận")
    DECLINED = "DECLINED", _("Không công nhận")


class Nomination(models.Model):
    """A district's nomination of a person for an honour, decided by the province."""

    title = models.CharField(_("danh hiệu"), max_length=20, choices=HonourTitle.choices)
    year = models.PositiveSmallIntegerField(_("năm"))
    person_name = models.CharField(_("họ và tên"), max_length=200)
    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="nominations")
    nominated_by = models.ForeignKey(
        Unit, verbose_name=_("đơn vị đề nghị"), on_delete=models.PROTECT, related_name="nominations_made"
    )
    reason = models.TextField(_("thành tích, lý do đề nghị"))
    status = models.CharField(_("trạng thái"), max_length=10, choices=NominationStatus.choices, default=NominationStatus.PROPOSED)
    decided_on = models.DateField(_("ngày quyết định"), null=True, blank=True)
    decision_note = models.TextField(_("ghi chú quyết định"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("đề nghị danh hiệu")
        verbose_name_plural = _("đề nghị danh hiệu")
        ordering = ["-year", "title", "person_name"]
        constraints = [
            models.UniqueConstraint(fields=["title", "year", "person_name", "unit"], name="emulation_nomination_unique"),
            models.CheckConstraint(
                condition=Q(status="PROPOSED") | Q(decided_on__isnull=False), name="emulation_nomination_decided_has_date"
            ),
        ]

    def __str__(self):
        return f"{self.person_name} · {self.get_title_display()} {self.year}"
