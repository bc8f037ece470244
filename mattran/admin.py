"""Django admin for the unit tree and officers (Officer also appears inline on the User page)."""
from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Officer, Unit, UnitKind

# A Vietnamese admin (issue 17): the Front's name instead of Django's, and nothing it never uses.
admin.site.site_header = _("Quản trị Cổng MTTQ tỉnh Lạng Sơn")
admin.site.site_title = _("Quản trị Cổng MTTQ Lạng Sơn")
admin.site.index_title = _("Cấu hình chương trình, chỉ số, biểu mẫu, chỉ tiêu, đơn vị và tài khoản")


def _hide_unused_third_party_admin():
    """Periodic tasks are set in settings (CELERY_BEAT_SCHEDULE), never by the Front, so their
    five admin pages (Clocked, Solar events…) are hidden; axes and tokens stay, in Vietnamese."""
    from django.apps import apps

    if apps.is_installed("django_celery_beat"):
        for model in apps.get_app_config("django_celery_beat").get_models():
            if admin.site.is_registered(model):
                admin.site.unregister(model)
    if apps.is_installed("axes"):
        apps.get_app_config("axes").verbose_name = _("Đăng nhập sai và khóa tài khoản")


_hide_unused_third_party_admin()


class LabelledAutocompleteJsonView(AutocompleteJsonView):
    """Autocomplete answers labelled by the target admin's ``autocomplete_label`` when it has one,
    so two "Phường Tam Thanh" are told apart by code and parent."""

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        label = getattr(self.model_admin, "autocomplete_label", None)
        if label is not None:
            result["text"] = str(label(obj))
        return result


def _autocomplete_view(request):
    return LabelledAutocompleteJsonView.as_view(admin_site=admin.site)(request)


admin.site.autocomplete_view = _autocomplete_view


def unit_label(unit: Unit) -> str:
    """"05971 · Phường Hoàng Văn Thụ — Thành phố Lạng Sơn": code, name and parent."""
    parent = f" — {unit.parent.name}" if unit.parent_id else ""
    return f"{unit.code} · {unit.name}{parent}"


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

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("parent")

    def autocomplete_label(self, obj):
        return unit_label(obj)


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
