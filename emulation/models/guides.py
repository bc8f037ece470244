"""Emulation guides: a year's configuration of sections, criteria (normal, bonus or penalty lines),
classification bands and clusters, all editable in admin and copied from year to year."""
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
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

    guide = models.ForeignKey(EmulationGuide, verbose_name=_("hướng dẫn"), on_delete=models.CASCADE, related_name="sections")
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

    section = models.ForeignKey(Section, verbose_name=_("phần"), on_delete=models.CASCADE, related_name="criteria")
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

    guide = models.ForeignKey(EmulationGuide, verbose_name=_("hướng dẫn"), on_delete=models.CASCADE, related_name="bands")
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

    guide = models.ForeignKey(EmulationGuide, verbose_name=_("hướng dẫn"), on_delete=models.CASCADE, related_name="clusters")
    name = models.CharField(_("tên cụm"), max_length=200)
    members = models.ManyToManyField(Unit, verbose_name=_("đơn vị"), related_name="emulation_clusters", blank=True)

    class Meta:
        verbose_name = _("cụm thi đua")
        verbose_name_plural = _("cụm thi đua")
        ordering = ["guide", "name"]
        constraints = [models.UniqueConstraint(fields=["guide", "name"], name="emulation_cluster_unique")]

    def __str__(self):
        return self.name
