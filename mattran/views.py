"""Home page, unit browser and health check."""
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.generic import TemplateView

from .access import ScopedViewMixin


class HomeView(ScopedViewMixin, TemplateView):
    template_name = "mattran/home.html"


class UnitBrowserView(ScopedViewMixin, TemplateView):
    template_name = "mattran/unit_browser.html"


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
            with app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
            state["broker"] = "ok"
        except Exception:  # noqa: BLE001
            state["broker"] = "error"
    state["status"] = "ok" if status == 200 else "error"
    return JsonResponse(state, status=status)
