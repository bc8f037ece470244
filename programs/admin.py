"""Django admin for the action program: plans, work programs with their tasks, scales, indicators, targets."""
from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from mattran.models import UnitKind

from .models import ActionPlan, Indicator, RatingLevel, RatingScale, Target, Task, WorkProgram


class WorkProgramInline(admin.TabularInline):
    model = WorkProgram
    extra = 0
    fields = ("number", "short_title")
    show_change_link = True


@admin.register(ActionPlan)
class ActionPlanAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "term_start", "term_end", "issuer")
    list_filter = ("term_start",)
    search_fields = ("code", "title", "issuer")
    inlines = [WorkProgramInline]


class TaskInline(admin.TabularInline):
    model = Task
    extra = 0
    fields = ("order", "text")


@admin.register(WorkProgram)
class WorkProgramAdmin(admin.ModelAdmin):
    list_display = ("number", "short_title", "plan")
    list_filter = ("plan",)
    search_fields = ("title", "short_title")
    list_select_related = ("plan",)
    inlines = [TaskInline]


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ("program", "order", "text")
    list_filter = ("program",)
    search_fields = ("text",)
    list_select_related = ("program",)


class RatingLevelInline(admin.TabularInline):
    model = RatingLevel
    extra = 0
    fields = ("rank", "code", "name")


@admin.register(RatingScale)
class RatingScaleAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")
    inlines = [RatingLevelInline]


@admin.register(RatingLevel)
class RatingLevelAdmin(admin.ModelAdmin):
    list_display = ("scale", "rank", "code", "name")
    list_filter = ("scale",)
    search_fields = ("code", "name")
    list_select_related = ("scale",)


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "unit_label", "value_type", "aggregation", "program", "min_value", "max_value")
    list_filter = ("value_type", "aggregation", "program")
    search_fields = ("code", "name")
    list_select_related = ("program",)
    autocomplete_fields = ("rating_scale",)

    def autocomplete_label(self, obj):
        return f"{obj.code} · {obj.name} ({obj.get_value_type_display().lower()})"


class TargetAdminForm(forms.ModelForm):
    """Counted levels as Vietnamese checkboxes instead of a JSON text box."""

    counted_kinds = forms.MultipleChoiceField(
        label=_("Cấp được tính"), choices=UnitKind.choices, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Chọn ít nhất một cấp được tính.")},
        help_text=_("Các cấp đơn vị có giá trị của chỉ số được đếm vào tỷ lệ."),
    )

    class Meta:
        model = Target
        fields = [
            "code", "name", "program", "indicator", "counted_kinds", "condition", "rating_level", "number_threshold",
            "operator", "threshold_percent", "display_precision", "first_year", "last_year", "due_year", "description",
        ]

    def clean_counted_kinds(self):
        chosen = self.cleaned_data["counted_kinds"]
        return [kind for kind in UnitKind.values if kind in chosen]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    form = TargetAdminForm
    list_display = (
        "code", "name", "indicator", "operator", "threshold_percent", "display_precision", "first_year", "last_year",
        "due_year", "program",
    )
    list_filter = ("operator", "condition", "due_year", "program")
    search_fields = ("code", "name")
    list_select_related = ("indicator", "program")
    autocomplete_fields = ("indicator", "rating_level")
