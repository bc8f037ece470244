"""Admin: every part of a guide is editable; a guide can be copied to another year."""
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import recompute, services
from .models import (
    ClassificationBand,
    Cluster,
    Criterion,
    CriterionBand,
    EmulationGuide,
    Evidence,
    Nomination,
    Score,
    ScoreSheet,
    Section,
    SheetReopening,
)


class RescoresYearAdmin(admin.ModelAdmin):
    """An edit of a guide or a part of one recomputes the year's scores after commit."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        recompute.guide_changed(instance=form.instance)

    def delete_model(self, request, obj):
        year_of = recompute.guide_year(obj)
        super().delete_model(request, obj)
        if year_of is not None:
            recompute.scores_request_after_commit(year=year_of)

    def delete_queryset(self, request, queryset):
        years = {recompute.guide_year(obj) for obj in queryset}
        super().delete_queryset(request, queryset)
        for year_of in years - {None}:
            recompute.scores_request_after_commit(year=year_of)


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0
    show_change_link = True


class ClassificationBandInline(admin.TabularInline):
    model = ClassificationBand
    extra = 0


class ClusterInline(admin.TabularInline):
    model = Cluster
    extra = 0
    show_change_link = True


class CopyGuideForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Sang năm"), min_value=2000, max_value=2100)


@admin.register(EmulationGuide)
class EmulationGuideAdmin(RescoresYearAdmin):
    list_display = ["title", "year", "scored_kind", "max_total", "is_example", "copied_from"]
    list_filter = ["year", "scored_kind", "is_example"]
    inlines = [SectionInline, ClassificationBandInline, ClusterInline]
    actions = ["copy_to_year"]

    @admin.action(description=gettext_lazy("Sao chép hướng dẫn sang năm sau"))
    def copy_to_year(self, request, queryset):
        if "apply" in request.POST:
            form = CopyGuideForm(request.POST)
            if form.is_valid():
                for guide in queryset:
                    try:
                        copy = services.guide_copy(guide=guide, year=form.cleaned_data["year"])
                    except ValidationError as error:
                        self.message_user(request, " ".join(error.messages), messages.ERROR)
                    else:
                        self.message_user(request, _("Đã tạo “%(title)s”.") % {"title": copy.title}, messages.SUCCESS)
                return None
        else:
            first = queryset.order_by("-year").first()
            form = CopyGuideForm(initial={"year": first.year + 1 if first else None})
        return render(
            request, "emulation/admin_copy_guide.html",
            {**self.admin_site.each_context(request), "form": form, "guides": queryset,
             "title": _("Sao chép hướng dẫn sang năm sau")},
        )


class CriterionInline(admin.StackedInline):
    model = Criterion
    extra = 0
    show_change_link = True
    fields = [
        ("order", "code", "kind", "max_points"), "text", ("mode", "source", "method"),
        ("target", "result_scope", "subordinate_kind"), "indicator",
    ]


@admin.register(Section)
class SectionAdmin(RescoresYearAdmin):
    list_display = ["title", "guide", "order", "program", "bonus_cap", "penalty_cap"]
    list_filter = ["guide__year", "guide__scored_kind"]
    inlines = [CriterionInline]


class CriterionBandInline(admin.TabularInline):
    model = CriterionBand
    extra = 0


@admin.register(Criterion)
class CriterionAdmin(RescoresYearAdmin):
    list_display = ["code", "text", "section", "kind", "mode", "max_points"]
    list_filter = ["section__guide__year", "section__guide__scored_kind", "kind", "mode"]
    search_fields = ["code", "text"]
    inlines = [CriterionBandInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "section":
            # Every guide has a "1. Chương trình 1…" section: name the guide and its year.
            field.queryset = field.queryset.select_related("guide").order_by("-guide__year", "guide__scored_kind", "order")
            field.label_from_instance = lambda s: f"{s.guide.title} ({s.guide.year}) — {s.order}. {s.title}"
        return field


class ClusterForm(forms.ModelForm):
    class Meta:
        model = Cluster
        fields = ["guide", "name", "members"]

    def clean(self):
        data = super().clean()
        guide, members = data.get("guide"), data.get("members")
        if guide and members:
            taken = Cluster.members.through.objects.filter(cluster__guide=guide, unit__in=members)
            if self.instance.pk:
                taken = taken.exclude(cluster=self.instance)
            names = sorted({str(row.unit) for row in taken.select_related("unit")})
            if names:
                raise ValidationError(
                    _("Các đơn vị đã thuộc một cụm khác của hướng dẫn này: %(units)s.") % {"units": ", ".join(names)}
                )
        if guide and members and any(unit.kind != guide.scored_kind for unit in members):
            raise ValidationError(_("Cụm thi đua chỉ gồm các đơn vị thuộc cấp được chấm của hướng dẫn."))
        return data


@admin.register(Cluster)
class ClusterAdmin(RescoresYearAdmin):
    form = ClusterForm
    list_display = ["name", "guide"]
    list_filter = ["guide__year"]
    filter_horizontal = ["members"]


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    readonly_fields = ["original_name", "file_type", "size", "uploaded_by", "uploaded_at"]


@admin.register(Score)
class ScoreAdmin(admin.ModelAdmin):
    list_display = ["sheet", "criterion", "self_points", "reviewed_points", "final_points", "auto_points"]
    list_filter = ["sheet__guide__year"]
    list_select_related = ["sheet__unit", "sheet__guide", "criterion"]
    inlines = [EvidenceInline]


class ScoreInline(admin.TabularInline):
    model = Score
    extra = 0
    fields = ["criterion", "self_points", "reviewed_points", "review_comment", "final_points", "auto_points", "auto_detail"]
    readonly_fields = ["criterion", "auto_points", "auto_detail"]
    can_delete = False


class SheetReopeningInline(admin.TabularInline):
    model = SheetReopening
    extra = 0
    readonly_fields = ["reopened_at", "reopened_by", "reason", "previous_total"]
    can_delete = False


@admin.register(ScoreSheet)
class ScoreSheetAdmin(admin.ModelAdmin):
    list_display = ["unit", "guide", "status", "total", "band", "rank_in_cluster", "rank_in_province"]
    list_filter = ["guide__year", "guide__scored_kind", "status"]
    list_select_related = ["unit", "guide", "band"]
    readonly_fields = ["total", "band", "cluster", "rank_in_cluster", "rank_in_province", "version", "computed_at"]
    inlines = [ScoreInline, SheetReopeningInline]


@admin.register(Nomination)
class NominationAdmin(admin.ModelAdmin):
    list_display = ["person_name", "title", "year", "unit", "nominated_by", "status", "decided_on"]
    list_filter = ["year", "title", "status"]
    search_fields = ["person_name"]
