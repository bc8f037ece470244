"""What the action plan says and how it is judged: programs, tasks, indicators, scales, targets."""
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mattran.models import UnitKind

from . import target_rules
from .target_rules import Operator, TargetCondition  # noqa: F401  (the fields' choices)


class ActionPlan(models.Model):
    """An action program for a term (e.g. 2015–2020)."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    title = models.CharField(_("tên"), max_length=500)
    issuer = models.CharField(_("cơ quan ban hành"), max_length=200, blank=True)
    term_start = models.PositiveSmallIntegerField(_("năm bắt đầu"))
    term_end = models.PositiveSmallIntegerField(_("năm kết thúc"))
    summary = models.TextField(_("tóm tắt"), blank=True)
    preamble = models.TextField(_("căn cứ ban hành"), blank=True)
    purpose = models.TextField(_("mục đích"), blank=True, help_text=_("Mỗi đoạn một dòng."))
    requirements = models.TextField(_("yêu cầu"), blank=True, help_text=_("Mỗi đoạn một dòng."))
    implementation = models.TextField(_("tổ chức thực hiện"), blank=True, help_text=_("Mỗi đoạn một dòng."))

    class Meta:
        verbose_name = _("chương trình hành động")
        verbose_name_plural = _("chương trình hành động")
        ordering = ["-term_start"]
        constraints = [
            models.CheckConstraint(condition=Q(term_end__gte=models.F("term_start")), name="plan_term_ordered"),
        ]

    def __str__(self):
        return self.title

    def opening_sections(self) -> list[tuple[str, list[str]]]:
        """The text before the programs (purpose, requirements) as (heading, paragraphs)."""
        return _sections([(_("Mục đích"), self.purpose), (_("Yêu cầu"), self.requirements)])

    def closing_sections(self) -> list[tuple[str, list[str]]]:
        """The text after the programs (implementation) as (heading, paragraphs)."""
        return _sections([(_("Tổ chức thực hiện"), self.implementation)])


def _sections(parts):
    return [(heading, [p for p in text.splitlines() if p.strip()]) for heading, text in parts if text.strip()]


class WorkProgram(models.Model):
    """One of the plan's work programs (Chương trình 1–5)."""

    plan = models.ForeignKey(ActionPlan, verbose_name=_("chương trình hành động"), on_delete=models.CASCADE, related_name="programs")
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

    program = models.ForeignKey(WorkProgram, verbose_name=_("chương trình công tác"), on_delete=models.CASCADE, related_name="tasks")
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

    scale = models.ForeignKey(RatingScale, verbose_name=_("thang xếp loại"), on_delete=models.CASCADE, related_name="levels")
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


# The indicator value types each condition can judge.
CONDITION_VALUE_TYPES = {
    TargetCondition.IS_TRUE: {ValueType.BOOLEAN},
    TargetCondition.RATING_AT_LEAST: {ValueType.RATING},
    TargetCondition.NUMBER_AT_LEAST: {ValueType.INTEGER, ValueType.DECIMAL},
}

# Where an indicator's values come from is known to the apps above (report forms); they register a
# function answering "which unit kinds can have values of this indicator", so programs imports none of them.
_value_kinds_sources: list[Callable[["Indicator"], set[str]]] = []


def register_value_kinds_source(source: Callable[["Indicator"], set[str]]) -> None:
    if source not in _value_kinds_sources:
        _value_kinds_sources.append(source)


def value_kinds_of(indicator: "Indicator") -> set[str] | None:
    """The unit kinds that can have values of ``indicator``; None when no app tells."""
    if not _value_kinds_sources:
        return None
    return set().union(*(source(indicator) for source in _value_kinds_sources))


MAX_DISPLAY_PRECISION = 4


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
    display_precision = models.PositiveSmallIntegerField(
        _("số chữ số thập phân khi hiển thị"), default=1,
        validators=[MaxValueValidator(MAX_DISPLAY_PRECISION)],
        help_text=_("Tỷ lệ hiển thị với số chữ số này (báo cáo chính thức thường dùng 1). Khi số làm tròn "
                    "đọc như đạt mà thực tế không đạt, hoặc ngược lại, hiện thêm chữ số cho thấy rõ."),
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
            errors["counted_kinds"] = _("Chọn ít nhất một cấp được tính.")
        if self.condition == TargetCondition.RATING_AT_LEAST and not self.rating_level_id:
            errors["rating_level"] = _("Điều kiện xếp loại cần có mức tối thiểu.")
        if self.condition == TargetCondition.NUMBER_AT_LEAST and self.number_threshold is None:
            errors["number_threshold"] = _("Điều kiện số cần có ngưỡng.")
        if self.indicator_id:
            errors.update(self._indicator_errors())
        errors.update(self._year_errors())
        if errors:
            raise ValidationError(errors)

    def _indicator_errors(self) -> dict:
        """The condition and the counted levels must fit what the indicator can hold."""
        errors = {}
        indicator = self.indicator
        fits = CONDITION_VALUE_TYPES.get(self.condition, set())
        if self.condition and indicator.value_type not in fits:
            errors["condition"] = _(
                "Điều kiện “%(condition)s” không dùng được cho chỉ số “%(indicator)s” (kiểu %(type)s); "
                "dùng được cho kiểu: %(fits)s."
            ) % {
                "condition": TargetCondition(self.condition).label, "indicator": indicator.name,
                "type": ValueType(indicator.value_type).label.lower(),
                "fits": ", ".join(str(ValueType(t).label).lower() for t in sorted(fits)),
            }
        elif (self.condition == TargetCondition.RATING_AT_LEAST and self.rating_level_id
              and self.rating_level.scale_id != indicator.rating_scale_id):
            errors["rating_level"] = _("Mức “%(level)s” không thuộc thang xếp loại của chỉ số (%(scale)s).") % {
                "level": self.rating_level.name, "scale": indicator.rating_scale.name if indicator.rating_scale else "—",
            }
        kinds = value_kinds_of(indicator)
        if kinds is not None and self.counted_kinds and "counted_kinds" not in errors:
            wrong = [k for k in self.counted_kinds if k not in kinds]
            if not kinds:
                errors["counted_kinds"] = _(
                    "Chỉ số “%(indicator)s” chưa có trong biểu mẫu báo cáo nào, nên không đơn vị nào có giá trị; "
                    "hãy thêm chỉ số vào một biểu mẫu trước."
                ) % {"indicator": indicator.name}
            elif wrong:
                errors["counted_kinds"] = _(
                    "Cấp %(wrong)s không có giá trị của chỉ số “%(indicator)s”: các biểu mẫu nhập chỉ số này "
                    "cho cấp %(kinds)s."
                ) % {
                    "wrong": ", ".join(str(UnitKind(k).label).lower() for k in wrong),
                    "indicator": indicator.name,
                    "kinds": ", ".join(str(UnitKind(k).label).lower() for k in UnitKind.values if k in kinds),
                }
        return errors

    def plan(self):
        """The action plan the target belongs to, through its program or its indicator's program."""
        program = self.program if self.program_id else (self.indicator.program if self.indicator_id else None)
        return program.plan if program is not None else None

    def _year_errors(self) -> dict:
        errors = {}
        if self.first_year and self.last_year and self.last_year < self.first_year:
            errors["last_year"] = _("Năm kết thúc phải sau hoặc bằng năm bắt đầu.")
        plan = self.plan()
        if plan is not None:
            for field in ("first_year", "last_year"):
                year = getattr(self, field)
                if year and not (plan.term_start <= year <= plan.term_end):
                    errors[field] = _("Năm %(year)s nằm ngoài nhiệm kỳ của chương trình hành động (%(start)s–%(end)s).") % {
                        "year": year, "start": plan.term_start, "end": plan.term_end,
                    }
        if self.due_year and self.first_year and self.last_year and not (self.first_year <= self.due_year <= self.last_year):
            errors["due_year"] = _("Năm đánh giá phải nằm trong khoảng năm tính.")
        return errors

    def applies_to(self, year: int) -> bool:
        """Whether the target is computed and shown for ``year``."""
        return self.first_year <= year <= self.last_year

    def due_state(self, year: int) -> str:
        """"before" the due year, "due" in a year it is judged, "after" its due year has passed."""
        if self.due_year is None or self.due_year == year:
            return "due"
        return "before" if year < self.due_year else "after"

    def display_percent(self, numerator: int, denominator: int) -> tuple[Decimal, int] | None:
        """The share to show and its decimal places: the target's precision, with more digits
        when the rounded figure would read the other way than the exact decision (95,0% for
        "trên 95%" when 191/201 = 95,02… meets it)."""
        if not denominator or denominator <= 0:
            return None
        exact = Decimal(numerator * 100) / Decimal(denominator)
        met = self.meets(numerator, denominator)
        places = self.display_precision
        while True:
            shown = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
            reads_met = shown > self.threshold_percent if self.operator == Operator.GT else shown >= self.threshold_percent
            if reads_met == met or places >= 6:
                return shown, places
            places += 1

    def is_due(self, year: int) -> bool:
        """Whether ``year`` is a year in which the target is judged."""
        return self.due_year is None or self.due_year == year

    def meets(self, numerator: int, denominator: int) -> bool:
        """Decide with exact fractions: 95% of 100 does not pass "more than 95%" (see target_rules)."""
        return target_rules.meets(self.threshold_percent, self.operator, numerator, denominator)
