"""The portal's URLs plus ``/healthz/bare`` (the load test's baseline) and the dashboard without its
page cache; never in production's URLs."""
from django.http import HttpResponse
from django.test.utils import override_settings
from django.urls import path

from mattran.urls import urlpatterns as portal_urlpatterns
from reports.dashboard.views import DashboardView

dashboard = DashboardView.as_view()


def bare(request):
    """A constant response through the whole middleware stack: the load test's baseline."""
    return HttpResponse(b"ok", content_type="text/plain")


def dashboard_uncached(request):
    """The dashboard with its page cache off (both levels, see reports/cache.py): what every
    request would cost without it, measured beside the cached page."""
    with override_settings(DASHBOARD_CACHE_SECONDS=0):
        return dashboard(request)


urlpatterns = [
    path("healthz/bare", bare, name="bare"),
    path("healthz/tong-quan-khong-cache/", dashboard_uncached, name="dashboard_uncached"),
    *portal_urlpatterns,
]
