"""404 and 500 pages are the portal's own, in Vietnamese, in production and in the `make run` demo (issue 17)."""
import subprocess
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import path

ROOT = Path(__file__).resolve().parent.parent


def _boom(request):
    raise RuntimeError("boom")


urlpatterns = [path("boom/", _boom)]


@pytest.mark.django_db
def test_an_unknown_page_answers_the_vietnamese_404(client):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Không tìm thấy" in html and "Page not found" not in html and "Django" not in html


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_an_error_answers_the_vietnamese_500():
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Hệ thống đang gặp sự cố" in html and "Traceback" not in html


def test_make_run_serves_the_demo_without_the_debug_pages():
    """`make run` turns DEBUG off unless asked (DJANGO_DEBUG=true) and still serves static files."""
    dry = subprocess.run(["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, timeout=30).stdout
    line = next(line for line in dry.splitlines() if "runserver" in line)
    assert "DJANGO_DEBUG=${DJANGO_DEBUG:-false}" in line and "--insecure" in line
