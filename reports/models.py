"""What units report and what is computed from it."""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from mattran.models import OfficerRole, Unit, UnitKind
from programs.models import Indicator, RatingLevel, ValueType
from reports.constants import OPEN_STATUSES, RunStatus, SubmissionStatus  # noqa: F401  (RunStatus is read from here too)
from reports.periods import PeriodType


class FormKind(models.TextChoices):
    DATA = "DATA", _("Số liệu")
    PLAN = "PLAN", _("Kế hoạch")


# A form read with its plan for the plan's term only: the plan's texts (the whole program, a few
# KB each) stay in the database.
PLAN_TEXTS_DEFERRED = tuple(f"plan__{name}" for name in ("summary", "preamble", "purpose", "requirements", "implementation"))


class ReportForm(models.Model):
    """A report form (biểu mẫu): which indicators, about which units, from whom, how often."""

    code = models.SlugField(_("mã"), max_length=60, unique=True)
    name = models.CharField(_("tên"), max_length=300)
    kind = models.CharField(_("loại"), max_length=10, choices=FormKind.choices, default=FormKind.DATA)
    period_type = models.CharField(_("kỳ báo cáo"), max_length=12, choices=PeriodType.choices)
    row_kind = models.CharField(_("mỗi dòng là"), max_length=10, choices=UnitKind.choices)
    submitter_kind = models.CharField(_("đơn vị gửi"), max_length=10, choices=UnitKind.choices)
    deadline_days = models.PositiveSmallIntegerField(_("hạn nộp (số ngày sau kỳ)"), default=5)
    first_year = models.PositiveSmallIntegerField(_("áp dụng từ năm"), default=2016)
    last_year = models.PositiveSmallIntegerField(_("áp dụng đến năm"), null=True, blank=True)
    plan = models.ForeignKey(
        "programs.ActionPlan", verbose_name=_("chương trình hành động"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="forms",
        help_text=_("Biểu mẫu chỉ áp dụng trong nhiệm kỳ của chương trình này: hết nhiệm kỳ thì không còn kỳ nào phải gửi."),
    )
    later_submitter_kind = models.CharField(
        _("đơn vị gửi mới"), max_length=10, choices=UnitKind.choices, blank=True,
        help_text=_("Ví dụ sau sắp xếp đơn vị hành chính: các kỳ kết thúc từ ngày dưới đây do cấp xã gửi."),
    )
    later_submitter_from = models.DateField(_("đổi đơn vị gửi từ ngày"), null=True, blank=True)
    early_entry_days = models.PositiveSmallIntegerField(
        _("cho nhập nháp trước kỳ (số ngày)"), default=0,
        help_text=_("0: chỉ nhập được khi kỳ đã bắt đầu. Ví dụ kế hoạch năm sau được giao từ quý IV: 92."),
    )
    indicators = models.ManyToManyField(Indicator, verbose_name=_("chỉ số"), through="FormIndicator", related_name="forms")
    description = models.TextField(_("mô tả"), blank=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("biểu mẫu báo cáo")
        verbose_name_plural = _("biểu mẫu báo cáo")
        ordering = ["order", "code"]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if bool(self.later_submitter_kind) != bool(self.later_submitter_from):
            raise ValidationError({"later_submitter_from": _("Nhập cả đơn vị gửi mới và ngày bắt đầu đổi, hoặc để trống cả hai.")})

    def submitter_kind_on(self, day) -> str:
        """The kind of unit that submits a period ending on ``day`` (dated: 2025's reform moved forms to communes)."""
        if self.later_submitter_kind and self.later_submitter_from and day >= self.later_submitter_from:
            return self.later_submitter_kind
        return self.submitter_kind

    @property
    def submitter_kinds(self) -> set[str]:
        return {self.submitter_kind} | ({self.later_submitter_kind} if self.later_submitter_kind else set())

    @property
    def last_applicable_year(self) -> int | None:
        """Its last year: its own, or its plan's term end, whichever comes first (None: open-ended)."""
        ends = [y for y in (self.last_year, self.plan.term_end if self.plan_id else None) if y]
        return min(ends) if ends else None

    def applies_to_year(self, year: int) -> bool:
        first = max(self.first_year, self.plan.term_start) if self.plan_id else self.first_year
        last = self.last_applicable_year
        return first <= year and (last is None or year <= last)


class FormIndicator(models.Model):
    form = models.ForeignKey(ReportForm, verbose_name=_("biểu mẫu"), on_delete=models.CASCADE, related_name="form_indicators")
    indicator = models.ForeignKey(Indicator, verbose_name=_("chỉ số"), on_delete=models.PROTECT, related_name="form_indicators")
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    required = models.BooleanField(_("bắt buộc"), default=True)

    class Meta:
        verbose_name = _("chỉ số của biểu mẫu")
        verbose_name_plural = _("chỉ số của biểu mẫu")
        ordering = ["form", "order"]
        constraints = [models.UniqueConstraint(fields=["form", "indicator"], name="form_indicator_unique")]

    def __str__(self):
        return f"{self.form.code}: {self.indicator.code}"


class Submission(models.Model):
    """One form for one submitting unit and period, moving DRAFT → SUBMITTED → APPROVED."""

    form = models.ForeignKey(ReportForm, verbose_name=_("biểu mẫu"), on_delete=models.PROTECT, related_name="submissions")
    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị gửi"), on_delete=models.PROTECT, related_name="submissions")
    period = models.CharField(_("kỳ báo cáo"), max_length=10)
    year = models.PositiveSmallIntegerField(_("năm"), db_index=True)
    status = models.CharField(_("trạng thái"), max_length=10, choices=SubmissionStatus.choices, default=SubmissionStatus.DRAFT)
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người cập nhật"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người gửi"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    returned_at = models.DateTimeField(_("trả lại lúc"), null=True, blank=True)
    returned_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người trả lại"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    return_reason = models.TextField(_("lý do trả lại"), blank=True)
    approved_at = models.DateTimeField(_("duyệt lúc"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người duyệt"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reopened_at = models.DateTimeField(_("mở lại lúc"), null=True, blank=True)
    reopened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người mở lại"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reopen_reason = models.TextField(_("lý do mở lại"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("báo cáo")
        verbose_name_plural = _("báo cáo")
        ordering = ["-year", "form", "unit"]
        constraints = [models.UniqueConstraint(fields=["form", "unit", "period"], name="submission_unique")]
        indexes = [models.Index(fields=["form", "period", "status"])]

    def __str__(self):
        return f"{self.form.code} · {self.unit} · {self.period}"

    # Who may do what (the services enforce these; views use them to show or hide buttons).

    @staticmethod
    def _officer(user):
        return getattr(user, "officer", None) if user is not None and user.is_authenticated else None

    @staticmethod
    def _is_administrator(user) -> bool:
        """A superuser with no officer record acts on every form."""
        return user is not None and user.is_authenticated and user.is_superuser

    def is_viewable_by(self, user) -> bool:
        """The submitting unit lies in the user's subtree, or a commune officer's commune lies in it."""
        officer = self._officer(user)
        if officer is None:
            return self._is_administrator(user)
        if self.unit.is_within(officer.unit):
            return True
        return (
            officer.role == OfficerRole.COMMUNE_OFFICER
            and self.form.row_kind in (UnitKind.COMMUNE, UnitKind.AREA)
            and officer.unit.is_within(self.unit)
        )

    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def row_scope_for(self, user):
        """The unit whose rows ``user`` may fill: their commune for commune officers, else the whole form."""
        officer = self._officer(user)
        if officer is not None and officer.role == OfficerRole.COMMUNE_OFFICER:
            return officer.unit
        return self.unit

    def row_read_scope_for(self, user):
        """The unit whose rows ``user`` may read: a commune officer's own commune, else the whole form.

        A commune officer reads sibling communes of the district only when the province enables it
        (``settings.COMMUNE_OFFICERS_SEE_DISTRICT``); writes stay limited by :meth:`row_scope_for`.
        """
        if settings.COMMUNE_OFFICERS_SEE_DISTRICT:
            return self.unit
        return self.row_scope_for(user)

    def _is_submitter(self, user) -> bool:
        officer = self._officer(user)
        if officer is None:
            return self._is_administrator(user)
        if self.unit.kind == UnitKind.PROVINCE:
            return officer.role == OfficerRole.PROVINCE_STAFF and officer.unit_id == self.unit_id
        # A district's officers, or (from the 2025 reform, communes submitting) a commune's own.
        return officer.role in (OfficerRole.DISTRICT_OFFICER, OfficerRole.COMMUNE_OFFICER) and officer.unit_id == self.unit_id

    def is_editable_by(self, user) -> bool:
        """Open (draft or returned), and the user is the submitting side or a commune officer inside it."""
        if not self.is_open() or not self.is_viewable_by(user):
            return False
        officer = self._officer(user)
        if officer is not None and officer.role == OfficerRole.COMMUNE_OFFICER:
            return officer.unit.kind == UnitKind.COMMUNE
        return self._is_submitter(user)

    def is_submittable_by(self, user) -> bool:
        return self.is_open() and self._is_submitter(user)

    def is_reviewable_by(self, user) -> bool:
        """Provincial staff (or an administrator) whose scope holds the submission may return, approve, reopen."""
        if not self.is_viewable_by(user):
            return False
        officer = self._officer(user)
        if officer is None:
            return bool(user.is_superuser)
        return officer.role == OfficerRole.PROVINCE_STAFF

    def can_return(self, user) -> bool:
        return self.status == SubmissionStatus.SUBMITTED and self.is_reviewable_by(user)

    def can_approve(self, user) -> bool:
        return self.status == SubmissionStatus.SUBMITTED and self.is_reviewable_by(user)

    def can_reopen(self, user) -> bool:
        return self.status == SubmissionStatus.APPROVED and self.is_reviewable_by(user)


class DataValue(models.Model):
    """One typed value of one indicator for one unit and period; every change is kept."""

    # Indexes, each for the queries that use it (checked with EXPLAIN on PostgreSQL, benchmarks/RESULTS.md):
    # - unique (indicator, unit, period): a unit's value of an indicator and period (the grid's save,
    #   the names page's join, aggregate_values); it also serves every lookup by indicator alone, so
    #   the indicator's own foreign-key index is dropped;
    # - (indicator, period, unit): one indicator and period over every unit (a target's values);
    # - (indicator, year): the yearly roll-up's read of a year's values;
    # - submission (the foreign key's index; the identical Meta index was dropped): a submission's
    #   values (the grid, its history, the recompute after a submit or approval);
    # - unit: a unit's values (the unit's protection on delete, the area import's merge check).
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("chỉ số"), on_delete=models.PROTECT, related_name="values", db_index=False,
    )
    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="values")
    period = models.CharField(_("kỳ báo cáo"), max_length=10)
    year = models.PositiveSmallIntegerField(_("năm"))
    submission = models.ForeignKey(Submission, verbose_name=_("báo cáo"), on_delete=models.PROTECT, related_name="values")
    value_number = models.DecimalField(_("giá trị số"), max_digits=18, decimal_places=2, null=True, blank=True)
    value_bool = models.BooleanField(_("giá trị có/không"), null=True, blank=True)
    value_date = models.DateField(_("giá trị ngày"), null=True, blank=True)
    value_text = models.TextField(_("giá trị văn bản"), blank=True)
    rating_level = models.ForeignKey(RatingLevel, verbose_name=_("mức xếp loại"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    changed_since_approval = models.BooleanField(_("đã sửa sau khi duyệt"), default=False)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người cập nhật"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("giá trị")
        verbose_name_plural = _("giá trị")
        constraints = [models.UniqueConstraint(fields=["indicator", "unit", "period"], name="datavalue_unique")]
        indexes = [
            models.Index(fields=["indicator", "period", "unit"]),
            models.Index(fields=["indicator", "year"]),
        ]

    def __str__(self):
        return f"{self.indicator.code} · {self.unit.code} · {self.period}"

    VALUE_FIELDS = ("value_number", "value_bool", "value_date", "value_text", "rating_level")

    def typed_value(self, value_type: str):
        """The stored value read by the indicator's type (None when empty); ratings need ``rating_level``."""
        if value_type == ValueType.INTEGER:
            return None if self.value_number is None else int(self.value_number)
        if value_type == ValueType.DECIMAL:
            return self.value_number
        if value_type == ValueType.BOOLEAN:
            return self.value_bool
        if value_type == ValueType.DATE:
            return self.value_date
        if value_type == ValueType.RATING:
            return self.rating_level if self.rating_level_id else None
        return self.value_text or None

    def set_typed_value(self, value_type: str, value) -> None:
        self.value_number = value if value_type in ("INTEGER", "DECIMAL") else None
        self.value_bool = value if value_type == ValueType.BOOLEAN else None
        self.value_date = value if value_type == ValueType.DATE else None
        self.value_text = (value or "") if value_type == ValueType.TEXT else ""
        self.rating_level = value if value_type == ValueType.RATING else None


class PlanValue(models.Model):
    """The yearly plan (kế hoạch) a unit is given for an indicator."""

    indicator = models.ForeignKey(Indicator, verbose_name=_("chỉ số"), on_delete=models.PROTECT, related_name="plan_values")
    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="plan_values")
    year = models.PositiveSmallIntegerField(_("năm"))
    value = models.DecimalField(_("kế hoạch"), max_digits=18, decimal_places=2)
    submission = models.ForeignKey(Submission, verbose_name=_("báo cáo"), null=True, blank=True, on_delete=models.PROTECT, related_name="plan_values")
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người cập nhật"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kế hoạch")
        verbose_name_plural = _("kế hoạch")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "unit", "year"], name="planvalue_unique"),
            models.CheckConstraint(condition=Q(value__gte=0), name="planvalue_not_negative"),
        ]

    def __str__(self):
        return f"{self.indicator.code} · {self.unit.code} · {self.year}"


# The models of the parts, gathered here so Django finds them in the app's models module.
from reports.exports.models import ExportJob  # noqa: E402,F401
from reports.submissions.models import ReminderLog  # noqa: E402,F401
from reports.targets.models import ComputationRun, IndicatorAggregate, TargetResult  # noqa: E402,F401
