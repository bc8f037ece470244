"""Entry forms and list filters of the registers; unit choices are limited to the user's scope."""
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from mattran.access import visible_units
from mattran.models import Unit, UnitKind

from . import models as m


class UnitChoiceField(forms.ModelChoiceField):
    """A unit shown with its commune or district, since many areas share a name."""

    def label_from_instance(self, unit):
        parent = unit.commune if unit.kind == UnitKind.AREA else unit.district if unit.kind == UnitKind.COMMUNE else None
        return f"{unit.name} — {parent.name}" if parent is not None and parent.pk != unit.pk else unit.name


class UnitMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, unit):
        return UnitChoiceField.label_from_instance(self, unit)


def units_for(user, kinds):
    """Units of ``kinds`` in the user's scope, in tree order (each district, then its communes and areas)."""
    tree_order = [F(f"{level}__code").asc(nulls_first=True) for level in ("district", "commune")]
    return (
        visible_units(user).filter(kind__in=kinds).select_related("commune", "district")
        .order_by(*tree_order, "code")
    )


class RegisterEntryForm(forms.ModelForm):
    """Base form: unit choices within the user's scope and of the register's kinds, a version for stale edits."""

    unit_kinds: tuple = m.ALL_LEVELS
    area_fields: tuple = ()  # many-to-many fields that name residential areas

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"] = UnitChoiceField(
            queryset=units_for(user, self.unit_kinds),
            label=self._meta.model._meta.get_field("unit").verbose_name.capitalize(),
            initial=self.initial.get("unit"),
        )
        for name in self.area_fields:
            field = self.fields[name]
            self.fields[name] = UnitMultipleChoiceField(
                queryset=units_for(user, (UnitKind.AREA,)), required=False, label=field.label,
                widget=forms.SelectMultiple(attrs={"size": 8}),
            )
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        self.fields["version"].initial = self.instance.version if self.instance.pk else None
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Lưu")))

    @property
    def expected_version(self):
        return self.cleaned_data.get("version")


class AdoptedHouseholdForm(RegisterEntryForm):
    unit_kinds = (UnitKind.AREA,)

    class Meta:
        model = m.AdoptedHousehold
        fields = ["head_name", "unit", "organisation", "year_adopted", "support_kind", "support_value",
                  "year_left_poverty", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = m.MemberOrganisation.objects.filter(is_active=True)
        self.fields["support_value"].widget.attrs["min"] = 0


class VoterPetitionForm(RegisterEntryForm):
    class Meta:
        model = m.VoterPetition
        fields = ["unit", "received_on", "source", "content", "forwarded_to", "due_on", "answer", "answered_on",
                  "status"]


class SupervisionPlanForm(RegisterEntryForm):
    unit_kinds = m.COMMITTEE_LEVELS

    class Meta:
        model = m.SupervisionPlan
        fields = ["year", "topic", "kind", "unit", "coordinating_organisations", "planned_on", "actual_on",
                  "findings", "recommendations", "follow_up"]
        widgets = {"coordinating_organisations": forms.CheckboxSelectMultiple}


class SelfManagementModelForm(RegisterEntryForm):
    unit_kinds = (UnitKind.AREA,)
    area_fields = ("replicated_to",)

    class Meta:
        model = m.SelfManagementModel
        fields = ["name", "unit", "kind", "year_started", "status", "replicated_to", "description"]

    def clean(self):
        cleaned = super().clean()
        unit, replicated = cleaned.get("unit"), cleaned.get("replicated_to")
        if unit is not None and replicated and unit in replicated:
            self.add_error("replicated_to", _("Khu dân cư nhân rộng phải khác khu dân cư xây dựng mô hình."))
        return cleaned


class CoordinationProgrammeForm(RegisterEntryForm):
    unit_kinds = m.COMMITTEE_LEVELS

    class Meta:
        model = m.CoordinationProgramme
        fields = ["title", "unit", "partner", "signed_on", "content"]


class CoordinationReviewForm(forms.ModelForm):
    class Meta:
        model = m.CoordinationReview
        fields = ["reviewed_on", "content"]
        widgets = {"reviewed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "content": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Thêm sơ kết, tổng kết")))


class InspectionForm(RegisterEntryForm):
    unit_kinds = (UnitKind.DISTRICT, UnitKind.COMMUNE)

    class Meta:
        model = m.Inspection
        fields = ["year", "unit", "content", "planned_on", "actual_on", "findings", "conclusions"]


class TrainingCourseForm(RegisterEntryForm):
    unit_kinds = m.COMMITTEE_LEVELS

    class Meta:
        model = m.TrainingCourse
        fields = ["topic", "unit", "level", "start_on", "end_on", "trainees_province", "trainees_district",
                  "trainees_commune", "trainees_area"]


class DiplomacyActivityForm(RegisterEntryForm):
    area_fields = ("twinned_areas",)

    class Meta:
        model = m.DiplomacyActivity
        fields = ["kind", "unit", "partner", "held_on", "participants", "content", "twinned_areas",
                  "partner_villages"]


class RegisterFilterForm(forms.Form):
    """The filters every list has: year, unit (district or commune in scope) and free text."""

    year = forms.IntegerField(label=_("Năm"), required=False, min_value=m.MIN_YEAR, max_value=2100)
    unit = UnitChoiceField(label=_("Đơn vị"), queryset=Unit.objects.none(), required=False,
                           empty_label=_("Tất cả đơn vị"))
    q = forms.CharField(label=_("Tìm kiếm"), required=False, max_length=100)

    def __init__(self, *args, user, extra_filters=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_for(user, (UnitKind.PROVINCE, UnitKind.DISTRICT, UnitKind.COMMUNE))
        self.extra_filters = {f.name: f for f in extra_filters}
        for f in extra_filters:
            self.fields[f.name] = f.field()
        for field in self.fields.values():
            css = "form-select form-select-sm" if isinstance(field.widget, forms.Select) else "form-control form-control-sm"
            if isinstance(field.widget, forms.CheckboxInput):
                css = "form-check-input"
            field.widget.attrs["class"] = css
