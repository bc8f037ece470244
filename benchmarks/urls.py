"""The portal's URLs plus ``/healthz/bare``, the load test's baseline; never in production's URLs."""
from django.http import HttpResponse
from django.urls import path

from mattran.urls import urlpatterns as portal_urlpatterns


def bare(request):
    """A constant response through the whole middleware stack: the load test's baseline."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("healthz/bare", bare, name="bare"), *portal_urlpatterns]
