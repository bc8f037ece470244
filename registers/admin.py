"""Administrators add member organisations; registers are also reachable in the admin."""
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from . import models as m


@admin.register(m.MemberOrganisation)
class MemberOrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "order", "is_active")
    list_editable = ("order", "is_active")
    prepopulated_fields = {"code": ("name",)}


class CoordinationReviewInline(admin.TabularInline):
    model = m.CoordinationReview
    extra = 0


@admin.register(m.CoordinationProgramme)
class CoordinationProgrammeAdmin(SimpleHistoryAdmin):
    list_display = ("title", "partner", "unit", "signed_on")
    inlines = [CoordinationReviewInline]
    raw_id_fields = ("unit",)


for model in (m.AdoptedHousehold, m.VoterPetition, m.SupervisionPlan, m.SelfManagementModel, m.Inspection,
              m.TrainingCourse, m.DiplomacyActivity):
    admin.site.register(model, SimpleHistoryAdmin, raw_id_fields=("unit",), list_display=("__str__", "unit"))
