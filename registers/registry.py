"""One configuration per register: the generic views, exports and yearly counts read these.

A register names its model and form, the columns of its list and Excel export, its filters,
the lookup that gives a row's year and the indicator its yearly count feeds.
"""
import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from . import forms as f
from . import models as m
from .selectors import overdue_q, still_poor_q


@dataclass(frozen=True)
class Column:
    """A list and export column: an attribute path (``unit.district``) or a getter, and its heading."""

    path: str = ""
    label: Any = None
    getter: Callable[[Any], Any] | None = None

    def value(self, obj):
        if self.getter is not None:
            return self.getter(obj)
        value = obj
        for part in self.path.split("."):
            if value is None:
                return None
            display = getattr(value, f"get_{part}_display", None)
            value = display() if display is not None else getattr(value, part)
        if hasattr(value, "all") and callable(value.all):  # a many-to-many manager (prefetched)
            return ", ".join(str(v) for v in value.all())
        return value


@dataclass(frozen=True)
class Filter:
    """An extra list filter: a form field and how a chosen value narrows the rows on ``today``."""

    name: str
    field: Callable[[], forms.Field]
    apply: Callable[[Any, Any, datetime.date], Any]


def choice_filter(name, label, choices, lookup=None):
    return Filter(
        name,
        lambda: forms.ChoiceField(label=label, required=False, choices=[("", _("Tất cả"))] + list(choices)),
        lambda qs, value, today: qs.filter(**{lookup or name: value}),
    )


def flag_filter(name, label, q_for_today):
    return Filter(
        name,
        lambda: forms.BooleanField(label=label, required=False),
        lambda qs, value, today: qs.filter(q_for_today(today)) if value else qs,
    )


def _petition_status(qs, value, today):
    if value == m.OVERDUE:
        return qs.filter(overdue_q(today))
    if value == m.PetitionStatus.PENDING:
        return qs.filter(status=value).exclude(overdue_q(today))
    return qs.filter(status=value)


@dataclass(frozen=True)
class Register:
    slug: str
    model: type
    form_class: type
    title: Any
    program: Any
    columns: tuple
    year_lookup: str
    indicator_code: str | None = None
    search_fields: tuple = ()
    filters: tuple = ()
    select_related: tuple = ("unit__district", "unit__commune")
    prefetch_related: tuple = ()
    export_columns: tuple = ()
    detail_fields: tuple = ()
    province_only_edit: bool = False
    flag: Callable[[datetime.date], Q] | None = None  # rows to highlight in the list
    flag_label: Any = None
    extras: dict = field(default_factory=dict)

    @property
    def verbose_name(self):
        return self.model._meta.verbose_name

    def heading(self, column: Column):
        if column.label is not None:
            return column.label
        first = column.path.split(".")[0]
        return capfirst(self.model._meta.get_field(first).verbose_name)

    def year_of(self, obj) -> int:
        """The year a row is counted in (``year_lookup`` read on the object)."""
        name, _sep, part = self.year_lookup.partition("__")
        value = getattr(obj, name)
        return value.year if part == "year" else value

    def all_export_columns(self):
        return self.export_columns or self.columns

    def search(self, queryset, text):
        query = Q()
        for name in self.search_fields:
            query |= Q(**{f"{name}__icontains": text})
        return queryset.filter(query)


DISTRICT = Column("unit.district", _("Huyện"))
COMMUNE = Column("unit.commune", _("Xã"))
# Stored status, or Quá hạn for a pending petition past its due date today.
PETITION_STATUS = Column("status", _("Trạng thái"), lambda o: o.status_on(timezone.localdate())[1])

REGISTERS = {
    r.slug: r
    for r in [
        Register(
            slug="ho-ngheo-nhan-do-dau",
            model=m.AdoptedHousehold,
            form_class=f.AdoptedHouseholdForm,
            title=_("Hộ nghèo được nhận đỡ đầu"),
            program=_("Chương trình 2"),
            columns=(Column("head_name"), Column("unit"), COMMUNE, Column("organisation"), Column("year_adopted"),
                     Column("support_kind"), Column("support_value"), Column("year_left_poverty")),
            export_columns=(Column("head_name"), Column("unit"), COMMUNE, DISTRICT, Column("organisation"),
                            Column("year_adopted"), Column("support_kind"), Column("support_value"),
                            Column("year_left_poverty"), Column("note")),
            year_lookup="year_adopted",
            indicator_code="so_ho_nhan_do_dau",
            search_fields=("head_name", "unit__name"),
            select_related=("unit__district", "unit__commune", "organisation"),
            filters=(
                Filter("organisation", lambda: forms.ModelChoiceField(
                    label=_("Tổ chức"), required=False, queryset=m.MemberOrganisation.objects.all(),
                    empty_label=_("Tất cả")), lambda qs, value, today: qs.filter(organisation=value)),
                flag_filter("still_poor", _("Chưa thoát nghèo sau 2 năm"), still_poor_q),
            ),
            flag=still_poor_q,
            flag_label=_("Chưa thoát nghèo sau 2 năm"),
        ),
        Register(
            slug="kien-nghi-cu-tri",
            model=m.VoterPetition,
            form_class=f.VoterPetitionForm,
            title=_("Ý kiến, kiến nghị của cử tri"),
            program=_("Chương trình 3"),
            columns=(Column("received_on"), Column("unit"), DISTRICT, Column("source"), Column("content"),
                     Column("forwarded_to"), Column("due_on"), Column("answered_on"), PETITION_STATUS),
            export_columns=(Column("received_on"), Column("unit"), COMMUNE, DISTRICT, Column("source"),
                            Column("content"), Column("forwarded_to"), Column("due_on"), Column("answer"),
                            Column("answered_on"), PETITION_STATUS),
            year_lookup="received_on__year",
            indicator_code="kien_nghi_cu_tri",
            search_fields=("content", "forwarded_to", "answer"),
            filters=(
                choice_filter("source", _("Nguồn"), m.PetitionSource.choices),
                Filter("status", lambda: forms.ChoiceField(
                    label=_("Trạng thái"), required=False,
                    choices=[("", _("Tất cả"))] + list(m.PetitionStatus.choices) + [(m.OVERDUE, m.OVERDUE_LABEL)],
                ), _petition_status),
            ),
            flag=overdue_q,
            flag_label=m.OVERDUE_LABEL,
        ),
        Register(
            slug="giam-sat-phan-bien",
            model=m.SupervisionPlan,
            form_class=f.SupervisionPlanForm,
            title=_("Kế hoạch giám sát, phản biện xã hội"),
            program=_("Chương trình 3"),
            columns=(Column("year"), Column("topic"), Column("kind"), Column("unit"),
                     Column("coordinating_organisations"), Column("planned_on"), Column("actual_on")),
            export_columns=(Column("year"), Column("topic"), Column("kind"), Column("unit"), DISTRICT,
                            Column("coordinating_organisations"), Column("planned_on"), Column("actual_on"),
                            Column("findings"), Column("recommendations"), Column("follow_up")),
            year_lookup="year",
            indicator_code="cuoc_giam_sat_ke_hoach",
            search_fields=("topic", "findings", "recommendations"),
            prefetch_related=("coordinating_organisations",),
            filters=(choice_filter("kind", _("Hình thức"), m.SupervisionKind.choices),),
        ),
        Register(
            slug="mo-hinh-tu-quan",
            model=m.SelfManagementModel,
            form_class=f.SelfManagementModelForm,
            title=_("Mô hình tự quản ở khu dân cư"),
            program=_("Chương trình 2"),
            columns=(Column("name"), Column("unit"), COMMUNE, Column("kind"), Column("year_started"),
                     Column("status"), Column("replicated_to")),
            export_columns=(Column("name"), Column("unit"), COMMUNE, DISTRICT, Column("kind"),
                            Column("year_started"), Column("status"), Column("replicated_to"), Column("description")),
            year_lookup="year_started",
            indicator_code="mo_hinh_tu_quan",
            search_fields=("name", "unit__name"),
            prefetch_related=("replicated_to",),
            filters=(choice_filter("kind", _("Lĩnh vực"), m.SelfManagementKind.choices),
                     choice_filter("status", _("Tình trạng"), m.ModelStatus.choices)),
        ),
        Register(
            slug="chuong-trinh-phoi-hop",
            model=m.CoordinationProgramme,
            form_class=f.CoordinationProgrammeForm,
            title=_("Chương trình phối hợp với sở, ngành"),
            program=_("Chương trình 2"),
            columns=(Column("title"), Column("partner"), Column("unit"), Column("signed_on"),
                     Column("reviews", _("Số lần sơ kết"), lambda o: len(o.reviews.all()))),
            export_columns=(Column("title"), Column("partner"), Column("unit"), Column("signed_on"),
                            Column("content"),
                            Column("reviews", _("Sơ kết, tổng kết"), lambda o: "\n".join(
                                f"{r.reviewed_on:%d/%m/%Y}: {r.content}" for r in o.reviews.all()))),
            year_lookup="signed_on__year",
            indicator_code="chuong_trinh_phoi_hop",
            search_fields=("title", "partner", "content"),
            prefetch_related=("reviews",),
            extras={"reviews": True},
        ),
        Register(
            slug="kiem-tra",
            model=m.Inspection,
            form_class=f.InspectionForm,
            title=_("Kế hoạch kiểm tra của Ban Thường trực"),
            program=_("Công tác kiểm tra"),
            columns=(Column("year"), Column("unit"), DISTRICT, Column("content"), Column("planned_on"),
                     Column("actual_on")),
            export_columns=(Column("year"), Column("unit"), DISTRICT, Column("content"), Column("planned_on"),
                            Column("actual_on"), Column("findings"), Column("conclusions")),
            year_lookup="year",
            indicator_code="cuoc_kiem_tra",
            search_fields=("content", "findings", "conclusions"),
            province_only_edit=True,
        ),
        Register(
            slug="tap-huan",
            model=m.TrainingCourse,
            form_class=f.TrainingCourseForm,
            title=_("Lớp tập huấn, bồi dưỡng"),
            program=_("Chương trình 5"),
            columns=(Column("topic"), Column("level"), Column("unit"), Column("start_on"), Column("end_on"),
                     Column("trainees_total", _("Tổng số học viên"))),
            export_columns=(Column("topic"), Column("level"), Column("unit"), DISTRICT, Column("start_on"),
                            Column("end_on"), Column("trainees_province"), Column("trainees_district"),
                            Column("trainees_commune"), Column("trainees_area"),
                            Column("trainees_total", _("Tổng số học viên"))),
            year_lookup="start_on__year",
            indicator_code="lop_tap_huan_so",
            search_fields=("topic",),
            filters=(choice_filter("level", _("Cấp tổ chức"), m.TrainingLevel.choices),),
        ),
        Register(
            slug="doi-ngoai-nhan-dan",
            model=m.DiplomacyActivity,
            form_class=f.DiplomacyActivityForm,
            title=_("Hoạt động đối ngoại nhân dân"),
            program=_("Chương trình 4"),
            columns=(Column("held_on"), Column("kind"), Column("partner"), Column("unit"), Column("participants"),
                     Column("twinned_areas"), Column("partner_villages")),
            export_columns=(Column("held_on"), Column("kind"), Column("partner"), Column("unit"), DISTRICT,
                            Column("participants"), Column("content"), Column("twinned_areas"),
                            Column("partner_villages")),
            year_lookup="held_on__year",
            indicator_code="hoat_dong_doi_ngoai",
            search_fields=("partner", "content", "partner_villages"),
            prefetch_related=("twinned_areas",),
            filters=(choice_filter("kind", _("Hình thức"), m.DiplomacyKind.choices),),
        ),
    ]
}
