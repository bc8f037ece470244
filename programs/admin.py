"""Django admin for the action program: plans, work programs with their tasks, scales, indicators, targets."""
from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from mattran.models import UnitKind

from .models import ActionPlan, Indicator, RatingLevel, RatingScale, Target, Task, WorkProgram
from .services import plan_copy


class WorkProgramInline(admin.TabularInline):
    model = WorkProgram
    extra = 0
    fields = ("number", "short_title")
    show_change_link = True


class PlanCopyForm(forms.Form):
    code = forms.SlugField(label=_("Mã chương trình mới"), max_length=40)
    title = forms.CharField(label=_("Tên chương trình mới"), max_length=500)
    term_start = forms.IntegerField(label=_("Năm bắt đầu nhiệm kỳ"), min_value=2000, max_value=2100)
    term_end = forms.IntegerField(label=_("Năm kết thúc nhiệm kỳ"), min_value=2000, max_value=2100)

    def clean_code(self):
        code = self.cleaned_data["code"]
        if ActionPlan.objects.filter(code=code).exists():
            raise forms.ValidationError(_("Đã có chương trình mã “%(code)s”.") % {"code": code})
        return code

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("term_start"), cleaned.get("term_end")
        if start and end and end < start:
            self.add_error("term_end", _("Năm kết thúc phải sau hoặc bằng năm bắt đầu."))
        elif start and ActionPlan.objects.filter(term_start=start).exists():
            self.add_error("term_start", _("Đã có chương trình bắt đầu năm %(year)s: mã chỉ tiêu, biểu mẫu sao chép sẽ trùng.") % {"year": start})
        return cleaned


@admin.register(ActionPlan)
class ActionPlanAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "term_start", "term_end", "issuer")
    list_filter = ("term_start",)
    search_fields = ("code", "title", "issuer")
    inlines = [WorkProgramInline]
    actions = ["copy_to_new_term"]

    @admin.action(description=_("Sao chép sang nhiệm kỳ mới (chương trình, nội dung, chỉ tiêu, biểu mẫu)"), permissions=["add"])
    def copy_to_new_term(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Chọn đúng một chương trình để sao chép."), messages.ERROR)
            return None
        source = queryset.get()
        form = PlanCopyForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            copy = plan_copy(source=source, **form.cleaned_data)
            self.message_user(request, _("Đã tạo %(plan)s (%(start)s–%(end)s); hãy sửa nội dung bản sao.") % {
                "plan": copy.title, "start": copy.term_start, "end": copy.term_end,
            }, messages.SUCCESS)
            return redirect("admin:programs_actionplan_change", copy.pk)
        return render(request, "admin/programs/actionplan/copy_form.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta, "form": form, "source": source,
            "title": _("Sao chép chương trình hành động sang nhiệm kỳ mới"),
        })


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
