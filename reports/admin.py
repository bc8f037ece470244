"""Django admin for the reporting models.

Sections: forms (with their indicators inline), submissions and values (with history),
plans, and computed results. Each model is registered only if no other module did so first,
so another part of the portal may take over a model's admin.
"""
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from mattran.admin import ReadOnlyAdmin
from reports.models import (
    ComputationRun,
    DataValue,
    FormIndicator,
    IndicatorAggregate,
    PlanValue,
    ReportForm,
    Submission,
    TargetResult,
)
from reports.targets import runs


def _register(model, admin_class):
    if not admin.site.is_registered(model):
        admin.site.register(model, admin_class)


# --- Forms ----------------------------------------------------------------------------


class FormIndicatorInline(admin.TabularInline):
    model = FormIndicator
    extra = 0
    fields = ("order", "indicator", "required")
    autocomplete_fields = ("indicator",)


class ReportFormAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "period_type", "row_kind", "submitter_kind", "plan", "deadline_days", "order")
    list_filter = ("plan", "kind", "period_type", "row_kind", "submitter_kind")
    search_fields = ("code", "name")
    inlines = [FormIndicatorInline]


class FormIndicatorAdmin(admin.ModelAdmin):
    list_display = ("form", "order", "indicator", "required")
    list_filter = ("form", "required")
    search_fields = ("form__code", "indicator__code", "indicator__name")
    autocomplete_fields = ("indicator",)
    list_select_related = ("form", "indicator")


_register(ReportForm, ReportFormAdmin)
_register(FormIndicator, FormIndicatorAdmin)


# --- Submissions and values -------------------------------------------------------------


class RecomputesYearAdmin(SimpleHistoryAdmin):
    """An admin edit of a submission or a value goes around the services that recompute the
    targets at once: its year is marked dirty, so the beat job recomputes it within minutes."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        runs.years_mark_dirty([obj.year])

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        runs.years_mark_dirty([obj.year])

    def delete_queryset(self, request, queryset):
        years = set(queryset.values_list("year", flat=True))
        super().delete_queryset(request, queryset)
        runs.years_mark_dirty(years)


class SubmissionAdmin(RecomputesYearAdmin):
    list_display = ("form", "unit", "period", "status", "version", "submitted_at", "approved_at")
    list_filter = ("status", "form", "year")
    search_fields = ("unit__name", "unit__code", "period", "form__code")
    autocomplete_fields = ("unit",)
    list_select_related = ("form", "unit")
    raw_id_fields = ("updated_by", "submitted_by", "returned_by", "approved_by", "reopened_by")
    date_hierarchy = "created_at"


class DataValueAdmin(RecomputesYearAdmin):
    list_display = (
        "indicator", "unit", "period", "value_number", "value_bool", "value_date", "rating_level",
        "changed_since_approval",
    )
    list_filter = ("indicator", "year", "changed_since_approval")
    search_fields = ("unit__name", "unit__code", "indicator__code", "period")
    autocomplete_fields = ("unit", "indicator")
    list_select_related = ("indicator", "unit", "rating_level")
    raw_id_fields = ("submission", "updated_by")
    show_full_result_count = False


class PlanValueAdmin(SimpleHistoryAdmin):
    list_display = ("indicator", "unit", "year", "value")
    list_filter = ("indicator", "year")
    search_fields = ("unit__name", "unit__code", "indicator__code")
    autocomplete_fields = ("unit", "indicator")
    list_select_related = ("indicator", "unit")
    raw_id_fields = ("submission", "updated_by")


_register(Submission, SubmissionAdmin)
_register(DataValue, DataValueAdmin)
_register(PlanValue, PlanValueAdmin)


# --- Computed results (kept by Celery; read-only here: an edit would be overwritten) -----


class ComputedAdmin(ReadOnlyAdmin):
    """Rows written only by the computation: listed and shown, never added or changed by hand."""


class TargetResultAdmin(ComputedAdmin):
    list_display = ("target", "unit", "year", "numerator", "denominator", "percent", "achieved", "due", "computed_at")
    list_filter = ("target", "year", "achieved", "due")
    search_fields = ("unit__name", "unit__code", "target__code")
    autocomplete_fields = ("unit",)
    list_select_related = ("target", "unit")


class IndicatorAggregateAdmin(ComputedAdmin):
    list_display = ("indicator", "unit", "period", "value", "reporting_units", "computed_at")
    list_filter = ("indicator", "year")
    search_fields = ("unit__name", "unit__code", "indicator__code", "period")
    autocomplete_fields = ("unit", "indicator")
    list_select_related = ("indicator", "unit")
    show_full_result_count = False


class ComputationRunAdmin(ComputedAdmin):
    list_display = ("kind", "year", "status", "dirty", "progress", "total", "started_at", "finished_at")
    list_filter = ("kind", "status", "dirty")
    search_fields = ("kind", "task_id")


_register(TargetResult, TargetResultAdmin)
_register(IndicatorAggregate, IndicatorAggregateAdmin)
_register(ComputationRun, ComputationRunAdmin)
