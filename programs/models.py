"""What the action plan says and how it is judged: programs, tasks, indicators, scales, targets."""
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mattran.models import UnitKind


class ActionPlan(models.Model):
    """An action program for a term (e.g. 2015–2020)."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    title = models.CharField(_("tên"), max_length=500)
    issuer = models.CharField(_("cơ quan ban hành"), max_length=200, blank=True)
    term_start = models.PositiveSmallIntegerField(_("năm bắt đầu"))
    term_end = models.PositiveSmallIntegerField(_("năm kết thúc"))
    summary = models.TextField(_("tóm tắt"), blank=True)

    class Meta:
        verbose_name = _("chương trình hành động")
        verbose_name_plural = _("chương trình hành động")
        ordering = ["-term_start"]
        constraints = [
            models.CheckConstraint(condition=Q(term_end__gte=models.F("term_start")), name="plan_term_ordered"),
        ]

    def __str__(self):
        return self.title


class WorkProgram(models.Model):
    """One of the plan's work programs (Chương trình 1–5)."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="programs")
    number = models.PositiveSmallIntegerField(_("số"))
    title = models.TextField(_("tên chương trình"))
    short_title = models.CharField(_("tên ngắn"), max_length=200)

    class Meta:
        verbose_name = _("chương trình công tác")
        verbose_name_plural = _("chương trình công tác")
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="program_number_unique")]

    def __str__(self):
        return f"{_('Chương trình')} {self.number}: {self.short_title}"


class Task(models.Model):
    """A task (nội dung) of a work program, as the seed text states it."""

    program = models.ForeignKey(WorkProgram, on_delete=models.CASCADE, related_name="tasks")
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    text = models.TextField(_("nội dung"))

    class Meta:
        verbose_name = _("nội dung")
        verbose_name_plural = _("nội dung")
        ordering = ["program", "order"]
        constraints = [models.UniqueConstraint(fields=["program", "order"], name="task_order_unique")]

    def __str__(self):
        return self.text[:80]


class RatingScale(models.Model):
    """An ordered set of levels (e.g. Tốt / Khá / Trung bình / Yếu)."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=200)

    class Meta:
        verbose_name = _("thang xếp loại")
        verbose_name_plural = _("thang xếp loại")
        ordering = ["code"]

    def __str__(self):
        return self.name


class RatingLevel(models.Model):
    """A level of a scale; a higher rank is a better rating."""

    scale = models.ForeignKey(RatingScale, on_delete=models.CASCADE, related_name="levels")
    code = models.SlugField(_("mã"), max_length=40)
    name = models.CharField(_("tên"), max_length=100)
    rank = models.PositiveSmallIntegerField(_("bậc"), help_text=_("Bậc cao hơn là mức tốt hơn."))

    class Meta:
        verbose_name = _("mức xếp loại")
        verbose_name_plural = _("mức xếp loại")
        ordering = ["scale", "-rank"]
        constraints = [
            models.UniqueConstraint(fields=["scale", "code"], name="level_code_unique"),
            models.UniqueConstraint(fields=["scale", "rank"], name="level_rank_unique"),
        ]

    def __str__(self):
        return self.name


class ValueType(models.TextChoices):
    INTEGER = "INTEGER", _("Số nguyên")
    DECIMAL = "DECIMAL", _("Số thập phân")
    BOOLEAN = "BOOLEAN", _("Có/Không")
    RATING = "RATING", _("Xếp loại")
    DATE = "DATE", _("Ngày")
    TEXT = "TEXT", _("Văn bản")


class Aggregation(models.TextChoices):
    SUM = "SUM", _("Cộng dồn")
    LAST = "LAST", _("Giá trị cuối kỳ")


class Indicator(models.Model):
    """A measured quantity (chỉ số): its type, bounds and how it rolls up."""

    code = models.SlugField(_("mã"), max_length=60, unique=True)
    name = models.CharField(_("tên"), max_length=300)
    unit_label = models.CharField(_("đơn vị tính"), max_length=40, blank=True)
    value_type = models.CharField(_("kiểu giá trị"), max_length=10, choices=ValueType.choices)
    rating_scale = models.ForeignKey(
        RatingScale, verbose_name=_("thang xếp loại"), null=True, blank=True, on_delete=models.PROTECT
    )
    min_value = models.DecimalField(_("giá trị nhỏ nhất"), max_digits=16, decimal_places=2, null=True, blank=True)
    max_value = models.DecimalField(_("giá trị lớn nhất"), max_digits=16, decimal_places=2, null=True, blank=True)
    aggregation = models.CharField(_("cách tổng hợp"), max_length=10, choices=Aggregation.choices, default=Aggregation.SUM)
    program = models.ForeignKey(
        WorkProgram, verbose_name=_("chương trình"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="indicators",
    )
    description = models.TextField(_("mô tả"), blank=True)

    class Meta:
        verbose_name = _("chỉ số")
        verbose_name_plural = _("chỉ số")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_value__isnull=True) | Q(max_value__isnull=True) | Q(max_value__gte=models.F("min_value")),
                name="indicator_bounds_ordered",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.value_type == ValueType.RATING and not self.rating_scale_id:
            raise ValidationError({"rating_scale": _("Chỉ số xếp loại cần có thang xếp loại.")})
        if self.value_type != ValueType.RATING and self.rating_scale_id:
            raise ValidationError({"rating_scale": _("Chỉ số không phải xếp loại thì không có thang.")})


class TargetCondition(models.TextChoices):
    IS_TRUE = "IS_TRUE", _("Giá trị là Có")
    RATING_AT_LEAST = "RATING_AT_LEAST", _("Xếp loại từ mức … trở lên")
    NUMBER_AT_LEAST = "NUMBER_AT_LEAST", _("Số từ … trở lên")


class Operator(models.TextChoices):
    GT = "GT", _("Trên (>)")
    GTE = "GTE", _("Từ (≥)")


class Target(models.Model):
    """A numeric target (chỉ tiêu): the share of units that must meet a condition."""

    code = models.SlugField(_("mã"), max_length=60, unique=True)
    name = models.CharField(_("tên"), max_length=300)
    program = models.ForeignKey(
        WorkProgram, verbose_name=_("chương trình"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="targets",
    )
    indicator = models.ForeignKey(Indicator, verbose_name=_("chỉ số"), on_delete=models.PROTECT, related_name="targets")
    counted_kinds = models.JSONField(
        _("cấp được tính"), default=list,
        help_text=_("Danh sách cấp đơn vị được tính, ví dụ [\"AREA\"] hoặc [\"DISTRICT\", \"COMMUNE\"]."),
    )
    condition = models.CharField(_("điều kiện"), max_length=20, choices=TargetCondition.choices)
    rating_level = models.ForeignKey(
        RatingLevel, verbose_name=_("mức xếp loại tối thiểu"), null=True, blank=True, on_delete=models.PROTECT
    )
    number_threshold = models.DecimalField(_("ngưỡng số"), max_digits=16, decimal_places=2, null=True, blank=True)
    operator = models.CharField(_("toán tử"), max_length=3, choices=Operator.choices, default=Operator.GT)
    threshold_percent = models.DecimalField(
        _("tỷ lệ (%)"), max_digits=5, decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    first_year = models.PositiveSmallIntegerField(_("từ năm"))
    last_year = models.PositiveSmallIntegerField(_("đến năm"))
    due_year = models.PositiveSmallIntegerField(
        _("năm đánh giá"), null=True, blank=True, help_text=_("Để trống nếu đánh giá hằng năm.")
    )
    description = models.TextField(_("mô tả"), blank=True)

    class Meta:
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(last_year__gte=models.F("first_year")), name="target_years_ordered"),
            models.CheckConstraint(
                condition=Q(threshold_percent__gte=0) & Q(threshold_percent__lte=100), name="target_percent_range"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        valid_kinds = set(UnitKind.values)
        if not self.counted_kinds or not set(self.counted_kinds) <= valid_kinds:
            errors["counted_kinds"] = _("Chọn ít nhất một cấp hợp lệ: %(kinds)s.") % {"kinds": ", ".join(UnitKind.values)}
        if self.condition == TargetCondition.RATING_AT_LEAST and not self.rating_level_id:
            errors["rating_level"] = _("Điều kiện xếp loại cần có mức tối thiểu.")
        if self.condition == TargetCondition.NUMBER_AT_LEAST and self.number_threshold is None:
            errors["number_threshold"] = _("Điều kiện số cần có ngưỡng.")
        if self.due_year and not (self.first_year <= self.due_year <= self.last_year):
            errors["due_year"] = _("Năm đánh giá phải nằm trong khoảng năm tính.")
        if errors:
            raise ValidationError(errors)

    def is_due(self, year: int) -> bool:
        """Whether ``year`` is a year in which the target is judged."""
        return self.due_year is None or self.due_year == year

    def meets(self, numerator: int, denominator: int) -> bool:
        """Decide with exact fractions: 95% of 100 does not pass "more than 95%"."""
        if denominator <= 0:
            return False
        lhs = numerator * 100
        rhs = self.threshold_percent * denominator
        return lhs > rhs if self.operator == Operator.GT else lhs >= rhs
