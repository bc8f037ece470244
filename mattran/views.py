"""Home page, unit browser and health check."""
from django.conf import settings
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.generic import TemplateView

from programs import selectors as program_selectors

from . import selectors
from .access import ScopedViewMixin, visible_units
from .models import Unit


class HomeView(ScopedViewMixin, TemplateView):
    """The action plan at a glance: five programs with tasks, campaigns and the three targets."""

    template_name = "mattran/home.html"

    def get_context_data(self, **kwargs):
        plan = program_selectors.current_plan()
        return super().get_context_data(
            plan=plan,
            programs=program_selectors.programs_overview(plan),
            targets=program_selectors.all_targets(),
            **kwargs,
        )


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
            **kwargs,
        )


def bare(request):
    """A constant response through the whole middleware stack: the load test's baseline."""
    return HttpResponse(b"ok", content_type="text/plain")


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
