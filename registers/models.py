"""Program registers: the work behind the numbers, tracked item by item.

Every register row belongs to a unit (the column ``unit``) that decides who may see it, carries a
``version`` for optimistic edits and keeps its history of changes.
"""
import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from mattran.models import Unit, UnitKind

from .choices import (  # noqa: F401  (the registers' fields choose from these)
    DiplomacyKind,
    ModelStatus,
    PetitionSource,
    PetitionStatus,
    SelfManagementKind,
    SupervisionKind,
    SupportKind,
    TrainingLevel,
)

MIN_YEAR = 1945
NOT_NEGATIVE = _("Giá trị không được âm.")
YEAR_TOO_EARLY = _("Năm không hợp lệ (phải từ năm 1945 trở đi).")
YEAR_VALIDATORS = [MinValueValidator(MIN_YEAR, message=YEAR_TOO_EARLY)]


class RegisterEntry(models.Model):
    """What every register row has: a unit in the tree, a version and a history."""

    version = models.PositiveIntegerField(_("phiên bản"), default=1, editable=False)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("sửa lúc"), auto_now=True)
    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True


def _year_constraint(field, name):
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gte": MIN_YEAR}), name=name, violation_error_message=YEAR_TOO_EARLY
    )


def links_snapshot_field():
    """Many-to-many choices as text, so the history of changes shows them (history keeps no m2m)."""
    return models.TextField(_("liên kết"), blank=True, editable=False)


class MemberOrganisation(models.Model):
    """A member organisation of the Front (tổ chức thành viên); administrators add others."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=200, unique=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=100)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        verbose_name = _("tổ chức thành viên")
        verbose_name_plural = _("tổ chức thành viên")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class AdoptedHousehold(RegisterEntry):
    """A poor household adopted (nhận đỡ đầu) by a member organisation."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("khu dân cư"), on_delete=models.PROTECT, related_name="adopted_households"
    )
    head_name = models.CharField(_("họ tên chủ hộ"), max_length=200)
    organisation = models.ForeignKey(
        MemberOrganisation, verbose_name=_("tổ chức nhận đỡ đầu"), on_delete=models.PROTECT,
        related_name="adopted_households",
    )
    year_adopted = models.PositiveSmallIntegerField(_("năm nhận đỡ đầu"), validators=YEAR_VALIDATORS)
    support_kind = models.CharField(_("hình thức hỗ trợ"), max_length=20, choices=SupportKind.choices)
    support_value = models.DecimalField(
        _("giá trị hỗ trợ (triệu đồng)"), max_digits=12, decimal_places=2, default=0,
        validators=[MinValueValidator(0, message=NOT_NEGATIVE)],
    )
    year_left_poverty = models.PositiveSmallIntegerField(
        _("năm thoát nghèo"), null=True, blank=True, validators=YEAR_VALIDATORS
    )
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("hộ nghèo được nhận đỡ đầu")
        verbose_name_plural = _("hộ nghèo được nhận đỡ đầu")
        ordering = ["-year_adopted", "head_name", "pk"]
        constraints = [
            _year_constraint("year_adopted", "household_year_adopted_sane"),
            models.CheckConstraint(condition=Q(support_value__gte=0), name="household_support_value_not_negative",
                                   violation_error_message=NOT_NEGATIVE),
            models.CheckConstraint(
                condition=Q(year_left_poverty__isnull=True) | Q(year_left_poverty__gte=F("year_adopted")),
                name="household_left_after_adopted",
                violation_error_message=_("Năm thoát nghèo không được trước năm nhận đỡ đầu."),
            ),
        ]

    def __str__(self):
        return self.head_name

    def clean(self):
        if self.year_left_poverty is not None and self.year_adopted and self.year_left_poverty < self.year_adopted:
            raise ValidationError(
                {"year_left_poverty": _("Năm thoát nghèo không được trước năm nhận đỡ đầu.")}
            )


# Shown, never stored: a pending petition past its due date.
OVERDUE = "OVERDUE"
OVERDUE_LABEL = _("Quá hạn")


class VoterPetition(RegisterEntry):
    """An opinion or petition of voters and citizens (ý kiến, kiến nghị của cử tri)."""

    unit = models.ForeignKey(Unit, verbose_name=_("nơi tiếp nhận"), on_delete=models.PROTECT, related_name="petitions")
    received_on = models.DateField(_("ngày tiếp nhận"))
    source = models.CharField(_("nguồn"), max_length=20, choices=PetitionSource.choices)
    content = models.TextField(_("nội dung"))
    forwarded_to = models.CharField(_("cơ quan được chuyển đến"), max_length=200)
    due_on = models.DateField(_("hạn trả lời"))
    answer = models.TextField(_("nội dung trả lời"), blank=True)
    answered_on = models.DateField(_("ngày trả lời"), null=True, blank=True)
    status = models.CharField(_("trạng thái"), max_length=10, choices=PetitionStatus.choices, default=PetitionStatus.PENDING)

    class Meta:
        verbose_name = _("ý kiến, kiến nghị của cử tri")
        verbose_name_plural = _("ý kiến, kiến nghị của cử tri")
        ordering = ["-received_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_on__gte=F("received_on")), name="petition_due_after_received",
                violation_error_message=_("Hạn trả lời không được trước ngày tiếp nhận."),
            ),
            models.CheckConstraint(
                condition=Q(answered_on__isnull=True) | Q(answered_on__gte=F("received_on")),
                name="petition_answered_after_received",
                violation_error_message=_("Ngày trả lời không được trước ngày tiếp nhận."),
            ),
        ]

    def __str__(self):
        return f"{self.received_on:%d/%m/%Y} · {self.content[:60]}"

    def clean(self):
        errors = {}
        if self.received_on and self.due_on and self.due_on < self.received_on:
            errors["due_on"] = _("Hạn trả lời không được trước ngày tiếp nhận.")
        if self.received_on and self.answered_on and self.answered_on < self.received_on:
            errors["answered_on"] = _("Ngày trả lời không được trước ngày tiếp nhận.")
        if self.status != PetitionStatus.PENDING and not self.answered_on:
            errors.setdefault("answered_on", _("Kiến nghị đã trả lời hoặc đã giải quyết cần có ngày trả lời."))
        if self.status == PetitionStatus.PENDING and self.answered_on:
            errors["status"] = _("Đã có ngày trả lời thì trạng thái không thể là Đang chờ.")
        if errors:
            raise ValidationError(errors)

    def is_overdue(self, today: datetime.date) -> bool:
        """Not answered and past its due date."""
        return self.status == PetitionStatus.PENDING and self.answered_on is None and self.due_on < today

    def status_on(self, today: datetime.date):
        """(code, label) of the status shown on ``today``: Quá hạn for overdue petitions."""
        if self.is_overdue(today):
            return OVERDUE, OVERDUE_LABEL
        return self.status, self.get_status_display()


class SupervisionPlan(RegisterEntry):
    """One item of the yearly supervision and social-criticism plan."""

    year = models.PositiveSmallIntegerField(_("năm kế hoạch"), validators=YEAR_VALIDATORS)
    topic = models.CharField(_("chủ đề"), max_length=300)
    kind = models.CharField(_("hình thức"), max_length=20, choices=SupervisionKind.choices)
    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị chủ trì"), on_delete=models.PROTECT, related_name="supervision_plans")
    coordinating_organisations = models.ManyToManyField(
        MemberOrganisation, verbose_name=_("tổ chức phối hợp"), blank=True, related_name="supervision_plans"
    )
    links_snapshot = links_snapshot_field()
    planned_on = models.DateField(_("ngày dự kiến"))
    actual_on = models.DateField(_("ngày thực hiện"), null=True, blank=True)
    findings = models.TextField(_("kết quả, phát hiện"), blank=True)
    recommendations = models.TextField(_("kiến nghị"), blank=True)
    follow_up = models.TextField(_("theo dõi thực hiện kiến nghị"), blank=True)

    class Meta:
        verbose_name = _("kế hoạch giám sát, phản biện xã hội")
        verbose_name_plural = _("kế hoạch giám sát, phản biện xã hội")
        ordering = ["-year", "planned_on", "pk"]
        constraints = [_year_constraint("year", "supervision_year_sane")]

    def __str__(self):
        return self.topic

    def clean(self):
        if self.year and self.planned_on and self.planned_on.year != self.year:
            raise ValidationError({"planned_on": _("Ngày dự kiến phải thuộc năm kế hoạch.")})


class SelfManagementModel(RegisterEntry):
    """A self-management model (mô hình tự quản) run by a residential area."""

    unit = models.ForeignKey(Unit, verbose_name=_("khu dân cư"), on_delete=models.PROTECT, related_name="self_management_models")
    name = models.CharField(_("tên mô hình"), max_length=300)
    kind = models.CharField(_("lĩnh vực"), max_length=20, choices=SelfManagementKind.choices)
    year_started = models.PositiveSmallIntegerField(_("năm bắt đầu"), validators=YEAR_VALIDATORS)
    status = models.CharField(_("tình trạng"), max_length=10, choices=ModelStatus.choices, default=ModelStatus.ACTIVE)
    replicated_to = models.ManyToManyField(
        Unit, verbose_name=_("nhân rộng ra khu dân cư"), blank=True, related_name="replicated_models"
    )
    links_snapshot = links_snapshot_field()
    description = models.TextField(_("mô tả"), blank=True)

    class Meta:
        verbose_name = _("mô hình tự quản")
        verbose_name_plural = _("mô hình tự quản")
        ordering = ["-year_started", "name", "pk"]
        constraints = [_year_constraint("year_started", "self_management_year_sane")]

    def __str__(self):
        return self.name


class CoordinationProgramme(RegisterEntry):
    """A coordination programme signed with a department or sector (chương trình phối hợp)."""

    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị ký kết"), on_delete=models.PROTECT, related_name="coordination_programmes")
    partner = models.CharField(_("sở, ngành phối hợp"), max_length=200)
    title = models.CharField(_("tên chương trình"), max_length=300)
    signed_on = models.DateField(_("ngày ký"))
    content = models.TextField(_("nội dung"), blank=True)

    class Meta:
        verbose_name = _("chương trình phối hợp")
        verbose_name_plural = _("chương trình phối hợp")
        ordering = ["-signed_on", "pk"]

    def __str__(self):
        return self.title


class CoordinationReview(models.Model):
    """A review (sơ kết, tổng kết) of a coordination programme."""

    programme = models.ForeignKey(CoordinationProgramme, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField(_("ngày sơ kết, tổng kết"))
    content = models.TextField(_("nội dung đánh giá"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sơ kết, tổng kết chương trình phối hợp")
        verbose_name_plural = _("sơ kết, tổng kết chương trình phối hợp")
        ordering = ["reviewed_on", "pk"]

    def __str__(self):
        return f"{self.programme} · {self.reviewed_on:%d/%m/%Y}"

    def clean(self):
        if self.reviewed_on and self.programme_id and self.reviewed_on < self.programme.signed_on:
            raise ValidationError({"reviewed_on": _("Ngày sơ kết không được trước ngày ký chương trình.")})


class Inspection(RegisterEntry):
    """One item of the provincial standing board's yearly inspection plan."""

    year = models.PositiveSmallIntegerField(_("năm kế hoạch"), validators=YEAR_VALIDATORS)
    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị được kiểm tra"), on_delete=models.PROTECT, related_name="inspections")
    content = models.TextField(_("nội dung kiểm tra"))
    planned_on = models.DateField(_("ngày dự kiến"))
    actual_on = models.DateField(_("ngày kiểm tra"), null=True, blank=True)
    findings = models.TextField(_("kết quả kiểm tra"), blank=True)
    conclusions = models.TextField(_("kết luận"), blank=True)

    class Meta:
        verbose_name = _("kế hoạch kiểm tra của Ban Thường trực")
        verbose_name_plural = _("kế hoạch kiểm tra của Ban Thường trực")
        ordering = ["-year", "planned_on", "pk"]
        constraints = [_year_constraint("year", "inspection_year_sane")]

    def __str__(self):
        return f"{self.unit} · {self.year}"

    def clean(self):
        if self.year and self.planned_on and self.planned_on.year != self.year:
            raise ValidationError({"planned_on": _("Ngày dự kiến phải thuộc năm kế hoạch.")})


class TrainingCourse(RegisterEntry):
    """A training course (lớp tập huấn, bồi dưỡng) and its trainees by level."""

    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị tổ chức"), on_delete=models.PROTECT, related_name="training_courses")
    level = models.CharField(_("cấp tổ chức"), max_length=10, choices=TrainingLevel.choices)
    topic = models.CharField(_("chủ đề"), max_length=300)
    start_on = models.DateField(_("ngày bắt đầu"))
    end_on = models.DateField(_("ngày kết thúc"))
    trainees_province = models.PositiveIntegerField(_("học viên cấp tỉnh"), default=0)
    trainees_district = models.PositiveIntegerField(_("học viên cấp huyện"), default=0)
    trainees_commune = models.PositiveIntegerField(_("học viên cấp xã"), default=0)
    trainees_area = models.PositiveIntegerField(_("học viên khu dân cư"), default=0)

    class Meta:
        verbose_name = _("lớp tập huấn")
        verbose_name_plural = _("lớp tập huấn")
        ordering = ["-start_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_on__gte=F("start_on")), name="training_end_after_start",
                violation_error_message=_("Ngày kết thúc không được trước ngày bắt đầu."),
            ),
        ]

    def __str__(self):
        return self.topic

    @property
    def trainees_total(self) -> int:
        return self.trainees_province + self.trainees_district + self.trainees_commune + self.trainees_area

    def clean(self):
        if self.start_on and self.end_on and self.end_on < self.start_on:
            raise ValidationError({"end_on": _("Ngày kết thúc không được trước ngày bắt đầu.")})
        if self.level and self.unit_id and self.unit.kind != self.level:
            raise ValidationError({"level": _("Cấp tổ chức phải khớp với cấp của đơn vị tổ chức.")})


class DiplomacyActivity(RegisterEntry):
    """A people's-diplomacy activity (đối ngoại nhân dân), e.g. with villages across the Guangxi border."""

    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị tổ chức"), on_delete=models.PROTECT, related_name="diplomacy_activities")
    kind = models.CharField(_("hình thức"), max_length=20, choices=DiplomacyKind.choices)
    partner = models.CharField(_("đối tác"), max_length=300, help_text=_("Ví dụ: thôn, thị trấn thuộc Quảng Tây (Trung Quốc)."))
    held_on = models.DateField(_("ngày"))
    participants = models.PositiveIntegerField(_("số người tham gia"), default=0)
    content = models.TextField(_("nội dung"))
    twinned_areas = models.ManyToManyField(
        Unit, verbose_name=_("thôn, bản kết nghĩa phía Việt Nam"), blank=True, related_name="twinning_activities"
    )
    links_snapshot = links_snapshot_field()
    partner_villages = models.CharField(_("thôn, bản kết nghĩa phía bạn"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("hoạt động đối ngoại nhân dân")
        verbose_name_plural = _("hoạt động đối ngoại nhân dân")
        ordering = ["-held_on", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.partner}"


# The unit kinds each register's ``unit`` may point to (forms restrict their choices to these).
ALL_LEVELS = (UnitKind.PROVINCE, UnitKind.DISTRICT, UnitKind.COMMUNE, UnitKind.AREA)
COMMITTEE_LEVELS = (UnitKind.PROVINCE, UnitKind.DISTRICT, UnitKind.COMMUNE)
