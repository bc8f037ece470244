"""What units report and what is computed from it."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from mattran.models import OfficerRole, Unit, UnitKind
from programs.models import Indicator, RatingLevel, Target

from .periods import PeriodType


class FormKind(models.TextChoices):
    DATA = "DATA", _("Số liệu")
    PLAN = "PLAN", _("Kế hoạch")


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


class SubmissionStatus(models.TextChoices):
    DRAFT = "DRAFT", _("Nháp")
    SUBMITTED = "SUBMITTED", _("Đã gửi")
    RETURNED = "RETURNED", _("Bị trả lại")
    APPROVED = "APPROVED", _("Đã duyệt")


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

    def is_viewable_by(self, user) -> bool:
        """The submitting unit lies in the user's subtree, or a commune officer's commune lies in it."""
        if user is not None and user.is_authenticated and user.is_superuser and self._officer(user) is None:
            return True
        officer = self._officer(user)
        if officer is None:
            return False
        if self.unit.is_within(officer.unit):
            return True
        return (
            officer.role == OfficerRole.COMMUNE_OFFICER
            and self.form.row_kind in (UnitKind.COMMUNE, UnitKind.AREA)
            and officer.unit.is_within(self.unit)
        )

    def is_open(self) -> bool:
        return self.status in (SubmissionStatus.DRAFT, SubmissionStatus.RETURNED)

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
        if user is not None and user.is_authenticated and user.is_superuser and self._officer(user) is None:
            return True
        officer = self._officer(user)
        if officer is None:
            return False
        if self.unit.kind == UnitKind.PROVINCE:
            return officer.role == OfficerRole.PROVINCE_STAFF and officer.unit_id == self.unit_id
        return officer.role == OfficerRole.DISTRICT_OFFICER and officer.unit_id == self.unit_id

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

    def deadline(self):
        from .selectors import deadline_of

        return deadline_of(self.form, self.period)


class DataValue(models.Model):
    """One typed value of one indicator for one unit and period; every change is kept."""

    indicator = models.ForeignKey(Indicator, verbose_name=_("chỉ số"), on_delete=models.PROTECT, related_name="values")
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
            models.Index(fields=["submission"]),
        ]

    def __str__(self):
        return f"{self.indicator.code} · {self.unit.code} · {self.period}"

    VALUE_FIELDS = ("value_number", "value_bool", "value_date", "value_text", "rating_level")

    def typed_value(self, value_type: str):
        """The stored value read by the indicator's type (None when empty); ratings need ``rating_level``."""
        if value_type == "INTEGER":
            return None if self.value_number is None else int(self.value_number)
        if value_type == "DECIMAL":
            return self.value_number
        if value_type == "BOOLEAN":
            return self.value_bool
        if value_type == "DATE":
            return self.value_date
        if value_type == "RATING":
            return self.rating_level if self.rating_level_id else None
        return self.value_text or None

    def set_typed_value(self, value_type: str, value) -> None:
        self.value_number = value if value_type in ("INTEGER", "DECIMAL") else None
        self.value_bool = value if value_type == "BOOLEAN" else None
        self.value_date = value if value_type == "DATE" else None
        self.value_text = (value or "") if value_type == "TEXT" else ""
        self.rating_level = value if value_type == "RATING" else None


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


class TargetResult(models.Model):
    """A target's outcome for one unit's subtree and year, computed by Celery."""

    # No separate index on target: the unique (target, unit, year) index leads with it. The table is
    # kept half empty (fillfactor 50, migration 0007) so a recompute's updates stay on their page and
    # write no index entry (PostgreSQL HOT updates): none of the indexed columns ever changes.
    target = models.ForeignKey(Target, verbose_name=_("chỉ tiêu"), on_delete=models.CASCADE, related_name="results", db_index=False)
    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="target_results")
    year = models.PositiveSmallIntegerField(_("năm"))
    numerator = models.PositiveIntegerField(_("số đạt"))
    denominator = models.PositiveIntegerField(_("tổng số"))
    percent = models.DecimalField(_("tỷ lệ"), max_digits=5, decimal_places=2, null=True)
    achieved = models.BooleanField(_("đạt"))
    due = models.BooleanField(_("đến hạn"))
    not_reported = models.PositiveIntegerField(_("chưa báo cáo"))
    not_approved = models.PositiveIntegerField(_("chưa duyệt"), default=0)
    computed_at = models.DateTimeField(_("cập nhật lúc"))

    class Meta:
        verbose_name = _("kết quả chỉ tiêu")
        verbose_name_plural = _("kết quả chỉ tiêu")
        constraints = [models.UniqueConstraint(fields=["target", "unit", "year"], name="targetresult_unique")]
        indexes = [models.Index(fields=["year", "unit"])]

    def __str__(self):
        return f"{self.target.code} · {self.unit.code} · {self.year}"


class IndicatorAggregate(models.Model):
    """An indicator rolled up to an ancestor unit and a longer period, kept by Celery."""

    # No separate index on indicator: the unique (indicator, unit, period) index leads with it, and
    # every extra index slows the national roll-up's millions of inserts. No foreign-key constraint
    # in the database either (a check per inserted row): the rows are derived, written only by the
    # roll-up from values whose own keys are checked, and Django still applies on_delete.
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("chỉ số"), on_delete=models.CASCADE, related_name="aggregates", db_index=False, db_constraint=False,
    )
    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="aggregates", db_constraint=False)
    period = models.CharField(_("kỳ báo cáo"), max_length=10)
    year = models.PositiveSmallIntegerField(_("năm"))
    value = models.DecimalField(_("giá trị"), max_digits=20, decimal_places=2, null=True)
    reporting_units = models.PositiveIntegerField(_("số đơn vị có số liệu"), default=0)
    computed_at = models.DateTimeField(_("cập nhật lúc"))

    class Meta:
        verbose_name = _("số liệu tổng hợp")
        verbose_name_plural = _("số liệu tổng hợp")
        constraints = [models.UniqueConstraint(fields=["indicator", "unit", "period"], name="aggregate_unique")]
        indexes = [models.Index(fields=["year", "indicator", "unit"])]

    def __str__(self):
        return f"{self.indicator.code} · {self.unit.code} · {self.period}"


class RunStatus(models.TextChoices):
    STARTED = "STARTED", _("Đang tính")
    DONE = "DONE", _("Hoàn tất")
    FAILED = "FAILED", _("Lỗi")


class ComputationRunQuerySet(models.QuerySet):
    def claim_dirty_years(self, *, kind: str, lost_after) -> list[int]:
        """The dirty years of ``kind`` with no run queued, or one queued longer than ``lost_after``
        ago and taken as lost; each is marked queued now (the caller queues its run)."""
        from django.utils import timezone

        now = timezone.now()
        runs = self.filter(kind=kind, dirty=True).filter(
            models.Q(last_enqueued_at__isnull=True) | models.Q(last_enqueued_at__lt=now - lost_after)
        )
        years = list(runs.order_by("year").values_list("year", flat=True))
        self.filter(kind=kind, year__in=years).update(last_enqueued_at=now)
        return years


class ComputationRun(models.Model):
    """The run record of a (kind, year) computation: dirty flag, STARTED/DONE, progress."""

    kind = models.CharField(_("loại"), max_length=20, default="targets")
    year = models.PositiveSmallIntegerField(_("năm"))
    status = models.CharField(_("trạng thái"), max_length=10, choices=RunStatus.choices, default=RunStatus.DONE)
    dirty = models.BooleanField(_("cần tính lại"), default=False)
    dirty_since = models.DateTimeField(_("cần tính lại từ"), null=True, blank=True)
    last_enqueued_at = models.DateTimeField(_("xếp hàng lúc"), null=True, blank=True)
    started_at = models.DateTimeField(_("bắt đầu lúc"), null=True, blank=True)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)
    progress = models.PositiveIntegerField(_("tiến độ"), default=0)
    total = models.PositiveIntegerField(_("tổng số"), default=0)
    attempts = models.PositiveSmallIntegerField(_("số lần chạy"), default=0)
    task_id = models.CharField(_("mã tác vụ"), max_length=64, blank=True)
    error = models.TextField(_("lỗi"), blank=True)

    objects = ComputationRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("lần tính")
        verbose_name_plural = _("lần tính")
        constraints = [models.UniqueConstraint(fields=["kind", "year"], name="computationrun_unique")]

    def __str__(self):
        return f"{self.kind} {self.year}: {self.get_status_display()}"


from .models_dashboard import ExportJob, ReminderLog  # noqa: E402,F401  (dashboard helper models)
