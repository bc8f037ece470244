"""Production settings: secrets with no default, `check --deploy` clean, secure cookies."""
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, secret=True):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env["DJANGO_SETTINGS_MODULE"] = "mattran.settings.production"
    env["DJANGO_ALLOWED_HOSTS"] = "mattran.langson.example,127.0.0.1"
    if secret:
        env["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(60)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.slow
def test_check_deploy_passes_under_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_production_settings_refuse_to_start_without_a_secret_key():
    result = run_manage("check", secret=False)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.slow
def test_production_cookies_and_headers_are_secure():
    code = (
        "import json; from django.conf import settings as s; print(json.dumps({k: getattr(s, k) for k in ["
        "'DEBUG','SESSION_COOKIE_SECURE','SESSION_COOKIE_HTTPONLY','CSRF_COOKIE_SECURE','SECURE_SSL_REDIRECT',"
        "'SECURE_HSTS_SECONDS','X_FRAME_OPTIONS','SECURE_CONTENT_TYPE_NOSNIFF','SESSION_COOKIE_SAMESITE']}))"
    )
    result = run_manage("shell", "-c", code)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] and values["SESSION_COOKIE_HTTPONLY"] and values["CSRF_COOKIE_SECURE"]
    assert values["SECURE_SSL_REDIRECT"] and values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["X_FRAME_OPTIONS"] == "DENY" and values["SECURE_CONTENT_TYPE_NOSNIFF"]
    assert values["SESSION_COOKIE_SAMESITE"] == "Lax"
