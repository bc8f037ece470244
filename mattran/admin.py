"""Django admin for the unit tree and officers (Officer also appears inline on the User page)."""
import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import area_import, area_uploads, services
from .forms import AreaFileForm
from .models import CopyVersion, Officer, PendingTask, Unit, UnitKind, UnitPlacement, UnitSuccession

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


class DistrictFilter(admin.SimpleListFilter):
    """Districts of the chosen province (all of them when the tree holds one province)."""

    title = _("huyện")
    parameter_name = "district"

    def lookups(self, request, model_admin):
        districts = Unit.objects.filter(kind=UnitKind.DISTRICT)
        if request.GET.get("province"):
            districts = districts.filter(province_id=request.GET["province"])
        elif Unit.objects.filter(kind=UnitKind.PROVINCE).count() > 1:
            return []  # nationally, choose a province first
        return list(districts.order_by("code").values_list("pk", "name"))

    def queryset(self, request, queryset):
        return queryset.filter(district_id=self.value()) if self.value() else queryset


class CommuneFilter(admin.SimpleListFilter):
    """Communes of the chosen district (choose a district first: a province has hundreds)."""

    title = _("xã")
    parameter_name = "commune"

    def lookups(self, request, model_admin):
        if not request.GET.get("district"):
            return []
        return list(
            Unit.objects.filter(kind=UnitKind.COMMUNE, district_id=request.GET["district"])
            .order_by("code").values_list("pk", "name")
        )

    def queryset(self, request, queryset):
        return queryset.filter(commune_id=self.value()) if self.value() else queryset


class ActiveOnFilter(admin.SimpleListFilter):
    """Units in force on a day: today, or 31 December of a recent year (any ?active_on=yyyy-mm-dd works)."""

    title = _("có hiệu lực ngày")
    parameter_name = "active_on"

    def lookups(self, request, model_admin):
        today = timezone.localdate()
        days = [today] + [datetime.date(year, 12, 31) for year in range(today.year - 1, today.year - 11, -1)]
        return [(day.isoformat(), _("hôm nay") if day == today else day.strftime("%d/%m/%Y")) for day in days]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        try:
            day = datetime.date.fromisoformat(self.value())
        except ValueError:
            return queryset.none()
        return queryset.active_on(day)


class EndUnitsForm(forms.Form):
    day = forms.DateField(
        label=_("Ngày cuối cùng có hiệu lực"), input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}),
        error_messages={"required": _("Nhập ngày kết thúc."), "invalid": _("Ngày không đúng dạng dd/mm/yyyy.")},
    )


class MoveAreasForm(forms.Form):
    commune = forms.CharField(
        label=_("Mã xã chuyển đến"), max_length=20, error_messages={"required": _("Nhập mã xã chuyển đến.")},
    )
    day = forms.DateField(
        label=_("Thuộc xã mới từ ngày"), input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}),
        error_messages={"required": _("Nhập ngày chuyển."), "invalid": _("Ngày không đúng dạng dd/mm/yyyy.")},
    )

    def clean(self):
        cleaned = super().clean()
        code, day = (cleaned.get("commune") or "").strip(), cleaned.get("day")
        if code and day:
            # A commune code names the commune in force on the day of the move (codes were reused in 2025).
            commune = Unit.objects.filter(kind=UnitKind.COMMUNE).by_code(code, day)
            if commune is None:
                self.add_error("commune", _("Không có xã mã “%(code)s”.") % {"code": code})
            else:
                cleaned["commune"] = commune
        return cleaned


PREVIEW_ROWS = area_uploads.PREVIEW_ROWS


class PlacementInline(admin.TabularInline):
    """Where the unit stood in the tree, dated (moves are made with the action "Chuyển … từ một ngày")."""

    model = UnitPlacement
    fk_name = "unit"
    fields = ("parent", "valid_from", "valid_to")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class SuccessionInline(admin.TabularInline):
    """The successors of an ended unit (a divided commune has several, one of them the default)."""

    model = UnitSuccession
    fk_name = "predecessor"
    fields = ("successor", "is_default", "valid_from")
    autocomplete_fields = ("successor",)
    extra = 0


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the portal writes itself (imports, triggers, computations): listed and shown, never added,
    changed or deleted by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(UnitPlacement)
class UnitPlacementAdmin(ReadOnlyAdmin):
    """The dated tree, read only: it is written by imports and dated moves, never by hand."""

    list_display = ("unit", "kind", "parent", "valid_from", "valid_to")
    list_filter = ("kind",)
    search_fields = ("unit__code", "unit__name")
    list_select_related = ("unit", "parent")
    show_full_result_count = False


@admin.register(UnitSuccession)
class UnitSuccessionAdmin(admin.ModelAdmin):
    list_display = ("predecessor", "successor", "is_default", "valid_from")
    search_fields = ("predecessor__code", "predecessor__name", "successor__code", "successor__name")
    autocomplete_fields = ("predecessor", "successor")
    list_select_related = ("predecessor", "successor")


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "kind", "division_type", "parent", "valid_from", "valid_to")
    list_filter = ("kind", "division_type", ProvinceFilter, DistrictFilter, CommuneFilter, ActiveOnFilter)
    search_fields = ("code", "name")
    autocomplete_fields = ("parent", "successor")
    list_select_related = ("parent",)
    readonly_fields = ("province", "district", "commune", "area")
    ordering = ("code",)
    show_full_result_count = False
    actions = ["end_on_date", "move_to_commune"]
    inlines = [PlacementInline, SuccessionInline]
    change_list_template = "admin/mattran/unit/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("parent")

    def autocomplete_label(self, obj):
        return unit_label(obj)

    def get_urls(self):
        urls = [
            path("nhap-khu-dan-cu/", self.admin_site.admin_view(self.import_areas_view), name="mattran_unit_import_areas"),
        ]
        return urls + super().get_urls()

    # --- Bulk actions ----------------------------------------------------------------

    def _action_page(self, request, queryset, *, action, form, title, button):
        return render(request, "admin/mattran/unit/action_form.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta, "title": title,
            "form": form, "units": queryset[:PREVIEW_ROWS], "count": queryset.count(), "action": action,
            "button": button, "selected": queryset.values_list("pk", flat=True),
        })

    @admin.action(description=_("Kết thúc hiệu lực vào một ngày"), permissions=["change"])
    def end_on_date(self, request, queryset):
        form = EndUnitsForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            day = form.cleaned_data["day"]
            try:
                count = services.units_end(units=queryset, on=day, by=request.user)
            except services.UnitChangeError as error:
                for message in error.errors:
                    self.message_user(request, message, messages.ERROR)
                return None
            self.message_user(request, _("Đã kết thúc %(n)d đơn vị (kể cả đơn vị trực thuộc) ngày %(day)s.") % {
                "n": count, "day": day.strftime("%d/%m/%Y"),
            }, messages.SUCCESS)
            return None
        return self._action_page(
            request, queryset, action="end_on_date", form=form,
            title=_("Kết thúc hiệu lực các đơn vị đã chọn"), button=_("Kết thúc hiệu lực"),
        )

    @admin.action(description=_("Chuyển khu dân cư sang xã khác từ một ngày"), permissions=["change"])
    def move_to_commune(self, request, queryset):
        form = MoveAreasForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            commune, day = form.cleaned_data["commune"], form.cleaned_data["day"]
            try:
                moved = services.areas_move(areas=queryset, to=commune, on=day, by=request.user)
            except services.UnitChangeError as error:
                for message in error.errors:
                    self.message_user(request, message, messages.ERROR)
                return None
            self.message_user(request, _("Đã chuyển %(n)d khu dân cư sang %(commune)s từ ngày %(day)s.") % {
                "n": len(moved), "commune": commune.name, "day": day.strftime("%d/%m/%Y"),
            }, messages.SUCCESS)
            return None
        return self._action_page(
            request, queryset, action="move_to_commune", form=form,
            title=_("Chuyển khu dân cư sang xã khác"), button=_("Chuyển"),
        )

    # --- Upload of the areas file: preview, then confirm ----------------------------

    def import_areas_view(self, request):
        """Upload → preview of what is added, changed and ended (nothing saved) → confirm → import."""
        if not self.has_change_permission(request) or not self.has_add_permission(request):
            raise PermissionDenied
        context = {**self.admin_site.each_context(request), "opts": self.model._meta,
                   "title": _("Tải lên danh mục khu dân cư"), "preview_rows": PREVIEW_ROWS}
        if request.method == "POST" and "confirm" in request.POST:
            kept = area_uploads.pending_take(request, request.POST.get("token", ""))
            if kept is None:
                self.message_user(request, _("Phiên xem trước đã hết; hãy tải tệp lên lại."), messages.ERROR)
                return redirect("admin:mattran_unit_import_areas")
            try:
                result = area_import.areas_import(name=kept[0], content=kept[1], by=request.user)
            except area_import.AreaImportError as error:
                context.update(form=AreaFileForm(), errors=error.errors)
                return render(request, "admin/mattran/unit/import_areas.html", context)
            self.message_user(request, str(result), messages.SUCCESS)
            return redirect("admin:mattran_unit_changelist")
        if request.method == "POST" and "cancel" in request.POST:
            area_uploads.pending_forget(request)
            return redirect("admin:mattran_unit_changelist")
        form = AreaFileForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            content = upload.read()
            try:
                preview = area_import.areas_import(name=upload.name, content=content, dry_run=True)
            except area_import.AreaImportError as error:
                context.update(form=form, errors=error.errors)
                return render(request, "admin/mattran/unit/import_areas.html", context)
            token = area_uploads.pending_keep(request, name=upload.name, content=content)
            context.update(preview=preview, token=token, file_name=upload.name)
        context.setdefault("form", form)
        return render(request, "admin/mattran/unit/import_areas.html", context)


@admin.register(PendingTask)
class PendingTaskAdmin(admin.ModelAdmin):
    """Work waiting for the broker: visible to administrators, written only by mattran.queue."""

    list_display = ("task", "args", "created_at", "attempts", "last_tried_at")
    readonly_fields = ("key", "task", "args", "created_at", "attempts", "last_tried_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CopyVersion)
class CopyVersionAdmin(ReadOnlyAdmin):
    """The copies' tokens (mattran.copies): shown, written only by the database's triggers."""

    list_display = ("id", "token")


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
