"""Unit browser, area upload and health check; the home page lives in campaigns.plan_views."""
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from . import area_import, area_uploads, selectors
from .access import ScopedViewMixin, officer_of, visible_units
from .forms import AreaFileForm
from .models import OfficerRole, Unit, UnitKind


def _mark_status(unit: Unit, today) -> Unit:
    if unit.valid_to is not None and unit.valid_to < today:
        unit.status = "ended"
    elif unit.valid_from is not None and unit.valid_from > today:
        unit.status = "future"
    else:
        unit.status = "active"
    return unit


class UnitBrowserView(ScopedViewMixin, TemplateView):
    """tỉnh → huyện → xã → khu dân cư within the officer's subtree, with counts beneath each child."""

    template_name = "mattran/unit_browser.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        scope = self.scope
        code = self.kwargs.get("code")
        unit = None
        if code is not None or scope is not None:
            try:
                unit = selectors.unit_with_ancestors(
                    visible_units(self.request.user), **({"code": code} if code is not None else {"pk": scope.pk})
                )
            except Unit.DoesNotExist:
                raise Http404 from None
            children = selectors.unit_children(unit)
            ancestors = [
                (ancestor, scope is None or ancestor.is_within(scope)) for ancestor in selectors.unit_ancestors(unit)
            ]
            _mark_status(unit, today)
        else:  # administrators with no scope start at the top of the tree
            children = Unit.objects.filter(parent__isnull=True).order_by("code")
            ancestors = []
        page = Paginator(children, self.paginate_by).get_page(self.request.GET.get("trang"))
        rows = [_mark_status(child, today) for child in page.object_list]
        counts = selectors.descendant_counts(rows, on=today)
        return super().get_context_data(
            unit=unit,
            ancestors=ancestors,
            page=page,
            rows=[(child, counts.get(child.pk)) for child in rows],
            today=today,
            scope=scope,
            can_upload_areas=may_upload_areas(self.request.user),
            **kwargs,
        )


def may_upload_areas(user) -> bool:
    """A district officer may upload the district's areas file when the province allows it (settings)."""
    officer = officer_of(user)
    return bool(
        settings.AREAS_UPLOAD_BY_DISTRICTS and officer is not None
        and officer.role == OfficerRole.DISTRICT_OFFICER and officer.unit.kind == UnitKind.DISTRICT
    )


class AreaUploadView(ScopedViewMixin, View):
    """A district officer's upload of the district's areas: preview, then confirm (as in the admin)."""

    template_name = "mattran/area_upload.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_upload_areas(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def render(self, **context):
        context.update(district=self.scope, preview_rows=area_uploads.PREVIEW_ROWS)
        context.setdefault("form", AreaFileForm())
        return render(self.request, self.template_name, context)

    def get(self, request):
        return self.render()

    def post(self, request):
        district = self.scope
        if "cancel" in request.POST:
            area_uploads.pending_forget(request)
            return redirect("units:detail", code=district.code)
        if "confirm" in request.POST:
            kept = area_uploads.pending_take(request, request.POST.get("token", ""))
            if kept is None:
                messages.error(request, _("Phiên xem trước đã hết; hãy tải tệp lên lại."))
                return redirect("units:upload_areas")
            try:
                result = area_import.areas_import(name=kept[0], content=kept[1], by=request.user, scope=district)
            except area_import.AreaImportError as error:
                return self.render(errors=error.errors)
            messages.success(request, str(result))
            return redirect("units:detail", code=district.code)
        form = AreaFileForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render(form=form)
        upload = form.cleaned_data["file"]
        content = upload.read()
        try:
            preview = area_import.areas_import(name=upload.name, content=content, dry_run=True, scope=district)
        except area_import.AreaImportError as error:
            return self.render(form=form, errors=error.errors)
        token = area_uploads.pending_keep(request, name=upload.name, content=content)
        return self.render(preview=preview, token=token, file_name=upload.name)


def healthz(request):
    """Database and broker state as JSON, for monitoring; 503 when the database is down."""
    state = {"database": "ok", "broker": "eager" if not settings.CELERY_BROKER_URL else "unknown"}
    status = 200
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any database failure is reported, not raised
        state["database"] = "error"
        status = 503
    if settings.CELERY_BROKER_URL:
        from mattran.celery import app

        try:
            # One round trip with the broker's short socket timeout: a frozen broker accepts the
            # connection but never answers, so connecting alone proves nothing.
            with app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=0, timeout=settings.BROKER_SOCKET_TIMEOUT)
                client = getattr(conn.default_channel, "client", None)
                if client is not None:
                    client.ping()
            state["broker"] = "ok"
        except Exception:  # noqa: BLE001
            state["broker"] = "error"
    state["status"] = "ok" if status == 200 else "error"
    return JsonResponse(state, status=status)
