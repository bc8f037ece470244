"""Django admin for the unit tree and officers (Officer also appears inline on the User page)."""
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Officer, PendingTask, Unit, UnitKind


class ProvinceFilter(admin.SimpleListFilter):
    """Filter by province, listing provinces only (a plain FK filter would list every unit)."""

    title = _("tỉnh")
    parameter_name = "province"

    def lookups(self, request, model_admin):
        return list(Unit.objects.filter(kind=UnitKind.PROVINCE).values_list("pk", "name"))

    def queryset(self, request, queryset):
        return queryset.filter(province_id=self.value()) if self.value() else queryset


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "division_type", "parent", "valid_from", "valid_to")
    list_filter = ("kind", "division_type", ProvinceFilter)
    search_fields = ("code", "name")
    autocomplete_fields = ("parent", "successor")
    list_select_related = ("parent",)
    readonly_fields = ("province", "district", "commune", "area")
    ordering = ("code",)
    show_full_result_count = False


@admin.register(PendingTask)
class PendingTaskAdmin(admin.ModelAdmin):
    """Work waiting for the broker: visible to administrators, written only by mattran.queue."""

    list_display = ("task", "args", "created_at", "attempts", "last_tried_at")
    readonly_fields = ("key", "task", "args", "created_at", "attempts", "last_tried_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Officer)
class OfficerAdmin(admin.ModelAdmin):
    list_display = ("user", "unit", "role", "phone")
    list_filter = ("role",)
    search_fields = ("user__username", "user__first_name", "user__last_name", "unit__name", "unit__code")
    autocomplete_fields = ("user", "unit")
    list_select_related = ("user", "unit")


class OfficerInline(admin.StackedInline):
    model = Officer
    can_delete = True
    autocomplete_fields = ("unit",)
    extra = 0
    max_num = 1


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class OfficerUserAdmin(UserAdmin):
    inlines = [*UserAdmin.inlines, OfficerInline]
    list_display = ("username", "first_name", "last_name", "email", "is_staff", "officer_role", "officer_unit")
    list_select_related = ("officer", "officer__unit")
    list_filter = (*UserAdmin.list_filter, "officer__role")

    @admin.display(description=_("Vai trò"), ordering="officer__role")
    def officer_role(self, obj):
        officer = getattr(obj, "officer", None)
        return officer.get_role_display() if officer else ""

    @admin.display(description=_("Đơn vị"), ordering="officer__unit__code")
    def officer_unit(self, obj):
        officer = getattr(obj, "officer", None)
        return officer.unit if officer else ""
